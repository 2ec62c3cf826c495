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

// fill sets every field of v, recursively: strings to their field's name,
// bools to true, numbers to 7, slices to one filled element.
func fill(v reflect.Value, name string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(name)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint, reflect.Uint64, reflect.Uint32:
		if v.CanInt() {
			v.SetInt(7)
		} else {
			v.SetUint(7)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), v.Type().Field(i).Name)
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), name)
		v.Set(s)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), name)
		v.Set(p)
	}
}

// A field added to Disk, Mount or NodeDisk's JSON shows here: the streamed
// encoding must learn it too.
func TestAppendNodeDiskJSON_everyField(t *testing.T) {
	var nd messages.NodeDisk
	fill(reflect.ValueOf(&nd).Elem(), "")
	want, err := json.Marshal(nd)
	if err != nil {
		t.Fatal(err)
	}
	if got := AppendNodeDiskJSON(nil, nd); string(got) != string(want) {
		t.Errorf("a field is missing from AppendNodeDiskJSON:\n got %s\nwant %s", got, want)
	}
}
