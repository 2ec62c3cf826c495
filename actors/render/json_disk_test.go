package render

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/diskd-actors/diskd-actors/messages"
)

// hostileStrings are values a peer may send: every escape encoding/json
// knows, invalid UTF-8, wide and combining characters.
var hostileStrings = []string{"", "plain", `quo"te`, `back\slash`, "<b>&amp;</b>", "tab\tnew\nline\r",
	"\x00\x01\x1f\x7f", "\b\f", "\u2028\u2029", "bad\xffutf8\xc3", "写真2026", "e\u0301", "\U0001F600", "\u202eevil",
	"\u00a0", "\xed\xa0\x80"}

func TestAppendNodeDiskJSON_matchesMarshal(t *testing.T) {
	yes, no := true, false
	for _, s := range hostileStrings {
		for _, nd := range []messages.NodeDisk{
			{Node: s, Local: true, Disk: messages.Disk{UUID: s, Label: s, Device: s, Type: s}},
			{Node: "n", Disk: messages.Disk{Label: s, Mounts: []messages.Mount{{Path: s, FSType: s, ReadOnly: true}, {Path: "/", FSType: "ext4"}}}},
			{Node: "n", Disk: messages.Disk{Label: s, Mounts: []messages.Mount{}}},
			{Node: "n", Disk: messages.Disk{Label: s, Identity: messages.Identity{Size: -1, Model: s, Serial: s, Removable: &no}}},
			{Node: "n", Disk: messages.Disk{Identity: messages.Identity{Size: 1 << 62, WholeDisk: s, WWN: s, Transport: s,
				PartUUID: s, Removable: &yes, Rotational: &no}}},
			{Node: "n", Disk: messages.Disk{Identity: messages.Identity{Rotational: &yes}}},
		} {
			want, err := json.Marshal(nd)
			if err != nil {
				t.Fatal(err)
			}
			if got := AppendNodeDiskJSON(nil, nd); string(got) != string(want) {
				t.Errorf("%q:\n got %s\nwant %s", s, got, want)
			}
		}
	}
}

// FuzzAppendNodeDiskJSON holds the streamed JSON of a disk equal to
// json.Marshal's for any strings a peer could send.
func FuzzAppendNodeDiskJSON(f *testing.F) {
	for i, s := range hostileStrings {
		f.Add(s, s, true, int64(i)-1, uint8(i))
	}
	f.Fuzz(func(t *testing.T, label, path string, ro bool, size int64, flags uint8) {
		nd := messages.NodeDisk{Node: path, Local: ro, Disk: messages.Disk{UUID: label, Label: label, Device: path, Type: label,
			Mounts: []messages.Mount{{Path: path, FSType: label, ReadOnly: ro}}}}
		// flags picks which identity fields are set, so every omitempty
		// combination is reached.
		if flags&1 != 0 {
			nd.Size, nd.WholeDisk, nd.Model, nd.Transport = size, path, label, label
		}
		if flags&2 != 0 {
			nd.Serial, nd.WWN, nd.PartUUID = label, path, label
		}
		if flags&4 != 0 {
			nd.Removable = &ro
		}
		if flags&8 != 0 {
			v := flags&16 != 0
			nd.Rotational = &v
		}
		want, err := json.Marshal(nd)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendNodeDiskJSON(nil, nd); string(got) != string(want) {
			t.Errorf("got %s, want %s", got, want)
		}
	})
}

// A field added to Disk, Mount or NodeDisk's JSON shows here: the streamed
// encoding must learn it too (until then it falls back to json.Marshal).
func TestAppendNodeDiskJSON_fastPath(t *testing.T) {
	var nd messages.NodeDisk
	fillFields(reflect.ValueOf(&nd).Elem(), "")
	want, err := json.Marshal(nd)
	if err != nil {
		t.Fatal(err)
	}
	if got := appendNodeDisk(nil, nd); string(got) != string(want) || !fastDiskJSON {
		t.Errorf("appendNodeDisk lacks a field of messages.NodeDisk's JSON (list --json falls back to json.Marshal, "+
			"about ten times slower):\n got %s\nwant %s", got, want)
	}
	if got := AppendNodeDiskJSON(nil, nd); string(got) != string(want) {
		t.Errorf("AppendNodeDiskJSON:\n got %s\nwant %s", got, want)
	}
}

// The fallback, for a NodeDisk with fields the fast path lacks, is
// json.Marshal's output itself.
func TestAppendNodeDiskJSON_fallback(t *testing.T) {
	defer func(was bool) { fastDiskJSON = was }(fastDiskJSON)
	fastDiskJSON = false
	for _, s := range hostileStrings {
		nd := messages.NodeDisk{Node: s, Disk: messages.Disk{Label: s, Mounts: []messages.Mount{{Path: s}}}}
		want, _ := json.Marshal(nd)
		if got := AppendNodeDiskJSON(nil, nd); string(got) != string(want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}
