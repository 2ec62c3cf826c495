package cluster

import (
	"bytes"
	"fmt"
	"testing"
)

func TestDeriveKey(t *testing.T) {
	k := []byte("0123456789abcdef0123456789abcdef")
	d := DeriveKey(k)
	if len(d) != 32 || bytes.Equal(d, k) {
		t.Fatalf("derived %x from %x: want 32 bytes, not the key itself", d, k)
	}
	if !bytes.Equal(d, DeriveKey(k)) {
		t.Error("derivation not deterministic")
	}
	if bytes.Equal(d, DeriveKey([]byte("0123456789abcdef0123456789abcdeX"))) {
		t.Error("two keys derive one AES key")
	}
	// A pinned value, so that the derivation never changes under a
	// running cluster (daemons of two releases must agree).
	if got := fmt.Sprintf("%x", DeriveKey([]byte("diskd"))); got != "b5adeea11bc12576454ca940f8c29c028bac2509c9d4c0e1b2d573f967ca9128" {
		t.Errorf("derived %s", got)
	}
}

func TestNewKeyringAndRekey(t *testing.T) {
	if kr, err := NewKeyring(nil); kr != nil || err != nil {
		t.Fatalf("no keys: %v %v, want no keyring", kr, err)
	}
	a, b, c := []byte("aaaaaaaaaaaaaaaa"), []byte("bbbbbbbbbbbbbbbb"), []byte("cccccccccccccccc")
	kr, err := NewKeyring([][]byte{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(kr.GetPrimaryKey(), DeriveKey(a)) || len(kr.GetKeys()) != 2 {
		t.Fatalf("primary %x, %d keys", kr.GetPrimaryKey(), len(kr.GetKeys()))
	}
	// Rotation: c first, b kept, a gone.
	if err := Rekey(kr, [][]byte{c, b}); err != nil {
		t.Fatal(err)
	}
	keys := kr.GetKeys()
	if !bytes.Equal(kr.GetPrimaryKey(), DeriveKey(c)) || len(keys) != 2 {
		t.Fatalf("after rotation: primary %x, %d keys", kr.GetPrimaryKey(), len(keys))
	}
	for _, k := range keys {
		if bytes.Equal(k, DeriveKey(a)) {
			t.Error("the removed key is still installed")
		}
	}
	if err := Rekey(kr, nil); err == nil {
		t.Error("removing every key of an encrypted cluster accepted")
	}
	if err := Rekey(nil, [][]byte{a}); err == nil {
		t.Error("keys for an unencrypted cluster accepted")
	}
	if err := Rekey(nil, nil); err != nil {
		t.Error(err)
	}
}
