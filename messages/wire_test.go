package messages

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every datagram shape ever sent keeps decoding.
func TestDecodeDatagram_Corpus(t *testing.T) {
	files, err := filepath.Glob("testdata/wire/v*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no wire corpus: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		env, err := DecodeDatagram([]byte(strings.TrimSpace(string(b))))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if env.V != 1 || env.Kind != KindAnnounce || env.Node == "" || env.Seq == 0 {
			t.Errorf("%s: decoded %+v", f, env)
		}
	}
}

func TestEncodeAnnounce_RoundTrip(t *testing.T) {
	disks := []Disk{{UUID: "u-1", Label: `bäck "up" 1 ✓`, Device: "/dev/sda1", Type: "ext4"}, {Label: "x"}}
	b, err := EncodeAnnounce("node-1", "0123456789abcdef", 9, disks)
	if err != nil {
		t.Fatal(err)
	}
	env, err := DecodeDatagram(b)
	if err != nil {
		t.Fatal(err)
	}
	if env.Node != "node-1" || env.Instance != "0123456789abcdef" || env.Seq != 9 || len(env.Disks) != 2 || !DisksEqual(env.Disks, disks) {
		t.Errorf("got %+v, want the encoded values", env)
	}
}

func TestEncodeAnnounce_RefusesOversize(t *testing.T) {
	var disks []Disk
	for range 30 {
		disks = append(disks, Disk{UUID: strings.Repeat("a", 36), Label: strings.Repeat("l", 16), Device: "/dev/sdx1", Type: "ext4"})
	}
	b, err := EncodeAnnounce("n", "0123456789abcdef", 1, disks)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	if len(b) <= MaxDatagram {
		t.Errorf("refused datagram of %d bytes, limit %d", len(b), MaxDatagram)
	}
}

func TestDecodeDatagram_Drops(t *testing.T) {
	valid := `{"v":1,"kind":"announce","node":"n","instance":"0123456789abcdef","seq":1,"disks":[]}`
	cases := []struct {
		name, in, reason string
	}{
		{"empty", "", DropMalformed},
		{"truncated", valid[:40], DropMalformed},
		{"not json", "hello", DropMalformed},
		{"array", `[1,2,3]`, DropMalformed},
		{"trailing garbage", valid + "x", DropMalformed},
		{"two values", valid + valid, DropMalformed},
		{"no version", `{"kind":"announce"}`, DropMalformed},
		{"future version", `{"v":2,"whatever":[1]}`, DropVersion},
		{"unknown kind", `{"v":1,"kind":"gossip"}`, DropKind},
		{"wrong type", `{"v":1,"kind":"announce","node":5}`, DropMalformed},
		{"bad node", strings.Replace(valid, `"node":"n"`, `"node":"a b"`, 1), DropInvalid},
		{"empty node", strings.Replace(valid, `"node":"n"`, `"node":""`, 1), DropInvalid},
		{"bad instance", strings.Replace(valid, "0123456789abcdef", "xyz", 1), DropInvalid},
		{"seq 0", strings.Replace(valid, `"seq":1`, `"seq":0`, 1), DropInvalid},
		{"negative seq", strings.Replace(valid, `"seq":1`, `"seq":-1`, 1), DropMalformed},
		{"anonymous disk", strings.Replace(valid, `"disks":[]`, `"disks":[{"device":"/dev/x"}]`, 1), DropInvalid},
		{"long label", strings.Replace(valid, `"disks":[]`, `"disks":[{"label":"`+strings.Repeat("x", 300)+`"}]`, 1), DropInvalid},
		{"NUL in label", strings.Replace(valid, `"disks":[]`, `"disks":[{"label":"a\u0000b"}]`, 1), DropInvalid},
		{"oversize", valid + strings.Repeat(" ", MaxDatagram), DropOversize},
		{"legacy", "diskd:[1, 2, 3]", DropLegacy},
		{"deep nesting", `{"v":1,"kind":"announce","node":` + strings.Repeat("[", 500) + `}`, DropMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeDatagram([]byte(c.in))
			var de *DropError
			if !errors.As(err, &de) {
				t.Fatalf("got %v, want a DropError %q", err, c.reason)
			}
			if de.Reason != c.reason {
				t.Errorf("got reason %q (%v), want %q", de.Reason, err, c.reason)
			}
		})
	}
}

func FuzzDecodeDatagram(f *testing.F) {
	files, _ := filepath.Glob("testdata/wire/v*.json")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Add([]byte("diskd:[1, 2, 3]"))
	f.Add([]byte(`{"v":2}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		env, err := DecodeDatagram(b)
		if err != nil {
			var de *DropError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a DropError", err)
			}
			return
		}
		// Anything accepted re-encodes to something accepted.
		out, err := EncodeAnnounce(env.Node, env.Instance, env.Seq, env.Disks)
		if err != nil && !errors.Is(err, ErrTooLarge) {
			t.Fatalf("re-encode: %v", err)
		}
		if err == nil {
			if _, err := DecodeDatagram(out); err != nil {
				t.Fatalf("re-decode of %q: %v", out, err)
			}
		}
	})
}
