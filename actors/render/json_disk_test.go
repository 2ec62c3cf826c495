package render

import (
	"encoding/json"
	"testing"

	"github.com/diskd-actors/diskd-actors/messages"
)

// hostileStrings are values a peer may send: every escape encoding/json
// knows, invalid UTF-8, wide and combining characters.
var hostileStrings = []string{"", "plain", `quo"te`, `back\slash`, "<b>&amp;</b>", "tab\tnew\nline\r",
	"\x00\x01\x1f\x7f", "\b\f", "\u2028\u2029", "bad\xffutf8\xc3", "写真2026", "e\u0301", "\U0001F600", "\u202eevil",
	"\u00a0", "\xed\xa0\x80"}

func TestAppendNodeDiskJSON_matchesMarshal(t *testing.T) {
	for _, s := range hostileStrings {
		for _, nd := range []messages.NodeDisk{
			{Node: s, Local: true, Disk: messages.Disk{UUID: s, Label: s, Device: s, Type: s}},
			{Node: "n", Disk: messages.Disk{Label: s, Mounts: []messages.Mount{{Path: s, FSType: s, ReadOnly: true}, {Path: "/", FSType: "ext4"}}}},
			{Node: "n", Disk: messages.Disk{Label: s, Mounts: []messages.Mount{}}},
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
	for _, s := range hostileStrings {
		f.Add(s, s, true)
	}
	f.Fuzz(func(t *testing.T, label, path string, ro bool) {
		nd := messages.NodeDisk{Node: path, Local: ro, Disk: messages.Disk{UUID: label, Label: label, Device: path, Type: label,
			Mounts: []messages.Mount{{Path: path, FSType: label, ReadOnly: ro}}}}
		want, err := json.Marshal(nd)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendNodeDiskJSON(nil, nd); string(got) != string(want) {
			t.Errorf("got %s, want %s", got, want)
		}
	})
}
