package wire

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/diskd-actors/diskd-actors/messages"
)

// corpus returns every datagram shape ever sent, as datagrams: version 1
// bodies bare, version 2 bodies in an unsigned frame.
func corpus(t testing.TB) map[string][]byte {
	files, err := filepath.Glob("testdata/wire/v*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no wire corpus: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b = []byte(strings.TrimSpace(string(b)))
		if strings.HasPrefix(filepath.Base(f), "v2_") {
			b = EncodeFrame(b, nil)
		}
		out[f] = b
	}
	return out
}

// Every datagram shape ever sent keeps decoding.
func TestDecodeDatagram_Corpus(t *testing.T) {
	for f, b := range corpus(t) {
		env, err := DecodeDatagram(b, nil)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if env.Node == "" || env.Seq == 0 {
			t.Errorf("%s: decoded %+v", f, env)
		}
	}
}

func TestEncodeDatagram_RoundTrip(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	disks := []messages.Disk{{UUID: "u-1", Label: `bäck "up" 1 ✓`, Device: "/dev/sda1", Type: "ext4",
		Mounts: []messages.Mount{{Path: "/mnt/x y", FSType: "ext4", ReadOnly: true}}}, {Label: "x"}}
	for _, k := range [][]byte{nil, key} {
		for _, in := range []*Envelope{
			{Kind: KindChunk, Node: "node-1", Instance: "0123456789abcdef", Seq: 9, Gen: 3, Chunks: 2, Index: 1, Disks: disks},
			{Kind: KindAnnounce, Node: "node-1", Instance: "0123456789abcdef", Seq: 10, Gen: 3, Chunks: 2, Digest: Digest(disks), Count: 2},
			{Kind: KindRequest, Node: "n2", Instance: "0123456789abcdef", Seq: 1, To: "node-1", Gen: 3, Missing: []int{0}},
		} {
			b, err := EncodeDatagram(in, k)
			if err != nil {
				t.Fatal(err)
			}
			var keys [][]byte
			if k != nil {
				keys = [][]byte{k}
			}
			env, err := DecodeDatagram(b, keys)
			if err != nil {
				t.Fatalf("%s signed=%v: %v", in.Kind, k != nil, err)
			}
			if env.V != 2 || env.Kind != in.Kind || env.Gen != in.Gen || !messages.DisksEqual(env.Disks, in.Disks) || env.To != in.To {
				t.Errorf("got %+v, want %+v", env, in)
			}
		}
	}
}

func TestSplitInventory(t *testing.T) {
	var disks []messages.Disk
	for i := range 1000 {
		disks = append(disks, messages.Disk{UUID: fmt.Sprintf("%08d-aaaa-4bbb-8ccc-%012d", i, i), Label: fmt.Sprintf("disk number %d", i),
			Device: fmt.Sprintf("/dev/disk/by-path/pci-0000:00:1f.2-ata-%d", i), Type: "ext4"})
	}
	parts, err := SplitInventory("a-rather-long-node-name.example.org", "0123456789abcdef", "diskd-actors/1.0.0", disks)
	if err != nil {
		t.Fatal(err)
	}
	var all []messages.Disk
	for i, p := range parts {
		b, err := EncodeDatagram(&Envelope{Kind: KindChunk, Node: "a-rather-long-node-name.example.org", Instance: "0123456789abcdef",
			Seq: 1<<64 - 1, Agent: "diskd-actors/1.0.0", Gen: 1<<64 - 1, Chunks: len(parts), Index: i, Disks: p}, make([]byte, 32))
		if err != nil || len(b) > MaxDatagram {
			t.Fatalf("chunk %d: %d bytes, %v", i, len(b), err)
		}
		all = append(all, p...)
	}
	if !messages.DisksEqual(all, disks) {
		t.Errorf("the chunks do not add up to the inventory")
	}
	t.Logf("1000 disks in %d chunks", len(parts))
	if parts, err := SplitInventory("n", "0123456789abcdef", "", nil); err != nil || len(parts) != 1 || len(parts[0]) != 0 {
		t.Errorf("empty inventory: got %v, %v; want one empty chunk", parts, err)
	}
	huge := messages.Disk{UUID: "u"}
	for i := range MaxMountsPerDisk {
		huge.Mounts = append(huge.Mounts, messages.Mount{Path: strings.Repeat("p", 200) + fmt.Sprint(i), FSType: "ext4"})
	}
	if _, err := SplitInventory("n", "0123456789abcdef", "", []messages.Disk{huge}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("a disk larger than a datagram: got %v, want ErrTooLarge", err)
	}
}

func TestDecodeDatagram_Drops(t *testing.T) {
	v1 := `{"v":1,"kind":"announce","node":"n","instance":"0123456789abcdef","seq":1,"disks":[]}`
	v2 := func(body string) string { return string(EncodeFrame([]byte(body), nil)) }
	chunk := `{"v":2,"kind":"chunk","node":"n","instance":"0123456789abcdef","seq":1,"gen":1,"chunks":1,"index":0,"disks":[]}`
	cases := []struct {
		name, in, reason string
		keys             [][]byte
	}{
		{"empty", "", DropMalformed, nil},
		{"truncated", v1[:40], DropMalformed, nil},
		{"not json", "hello", DropMalformed, nil},
		{"array", `[1,2,3]`, DropMalformed, nil},
		{"trailing garbage", v1 + "x", DropMalformed, nil},
		{"two values", v1 + v1, DropMalformed, nil},
		{"no version", `{"kind":"announce"}`, DropMalformed, nil},
		{"future version", `{"v":3,"whatever":[1]}`, DropVersion, nil},
		{"v2 body without frame", `{"v":2,"kind":"ping"}`, DropVersion, nil},
		{"v1 body in a frame", v2(v1), DropVersion, nil},
		{"unknown kind", `{"v":1,"kind":"gossip"}`, DropKind, nil},
		{"chunk in v1", `{"v":1,"kind":"chunk"}`, DropKind, nil},
		{"wrong type", `{"v":1,"kind":"announce","node":5}`, DropMalformed, nil},
		{"bad node", strings.Replace(v1, `"node":"n"`, `"node":"a b"`, 1), DropInvalid, nil},
		{"empty node", strings.Replace(v1, `"node":"n"`, `"node":""`, 1), DropInvalid, nil},
		{"bad instance", strings.Replace(v1, "0123456789abcdef", "xyz", 1), DropInvalid, nil},
		{"seq 0", strings.Replace(v1, `"seq":1`, `"seq":0`, 1), DropInvalid, nil},
		{"negative seq", strings.Replace(v1, `"seq":1`, `"seq":-1`, 1), DropMalformed, nil},
		{"anonymous disk", strings.Replace(v1, `"disks":[]`, `"disks":[{"device":"/dev/x"}]`, 1), DropInvalid, nil},
		{"long label", strings.Replace(v1, `"disks":[]`, `"disks":[{"label":"`+strings.Repeat("x", 300)+`"}]`, 1), DropInvalid, nil},
		{"NUL in label", strings.Replace(v1, `"disks":[]`, `"disks":[{"label":"a\u0000b"}]`, 1), DropInvalid, nil},
		{"oversize", v1 + strings.Repeat(" ", MaxDatagram), DropOversize, nil},
		{"legacy", "diskd:[1, 2, 3]", DropLegacy, nil},
		{"deep nesting", `{"v":1,"kind":"announce","node":` + strings.Repeat("[", 500) + `}`, DropMalformed, nil},
		{"chunk index out of range", v2(strings.Replace(chunk, `"index":0`, `"index":1`, 1)), DropInvalid, nil},
		{"chunk count huge", v2(strings.Replace(chunk, `"chunks":1`, `"chunks":100000`, 1)), DropInvalid, nil},
		{"chunk gen 0", v2(strings.Replace(chunk, `"gen":1`, `"gen":0`, 1)), DropInvalid, nil},
		{"announce with disks", v2(strings.Replace(strings.Replace(chunk, `"chunk"`, `"announce"`, 1), `"disks":[]`, `"disks":[{"label":"x"}],"digest":"0123456789abcdef"`, 1)), DropInvalid, nil},
		{"goodbye with disks", v2(`{"v":2,"kind":"goodbye","node":"n","instance":"0123456789abcdef","seq":1,"disks":[{"label":"x"}]}`), DropInvalid, nil},
		{"request to nobody", v2(`{"v":2,"kind":"request","node":"n","instance":"0123456789abcdef","seq":1,"to":""}`), DropInvalid, nil},
		{"unsigned with keys", v2(chunk), DropUnauthenticated, [][]byte{[]byte("0123456789abcdef")}},
		{"v1 with keys", v1, DropUnauthenticated, [][]byte{[]byte("0123456789abcdef")}},
		{"signed without keys", string(EncodeFrame([]byte(chunk), []byte("0123456789abcdef"))), DropUnverifiable, nil},
		{"signed with another key", string(EncodeFrame([]byte(chunk), []byte("fedcba9876543210"))), DropBadSignature, [][]byte{[]byte("0123456789abcdef")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeDatagram([]byte(c.in), c.keys)
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
	for _, b := range corpus(f) {
		f.Add(b)
	}
	f.Add([]byte("diskd:[1, 2, 3]"))
	f.Add([]byte(`{"v":2}`))
	for _, name := range []string{"testdata/prev_release_chunk.bin", "testdata/identity_chunk.bin"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		env, err := DecodeDatagram(b, nil)
		if err != nil {
			var de *DropError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a DropError", err)
			}
			return
		}
		// Anything accepted re-encodes (as version 2) to something accepted,
		// unless it is a version 1 shape that version 2 spells otherwise.
		if env.V == 1 {
			return
		}
		out, err := EncodeDatagram(env, nil)
		if err != nil && !errors.Is(err, ErrTooLarge) {
			t.Fatalf("re-encode: %v", err)
		}
		if err == nil {
			if _, err := DecodeDatagram(out, nil); err != nil {
				t.Fatalf("re-decode of %q: %v", out, err)
			}
		}
	})
}
