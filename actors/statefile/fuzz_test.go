package statefile

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// FuzzDecode: Decode never panics, and whatever it accepts encodes and
// decodes again to the same snapshot. Seeds: the YAML fixtures and JSON.
func FuzzDecode(f *testing.F) {
	for _, b := range yamlFixtures(f) {
		f.Add(b)
	}
	f.Add(encode(f, testSnapshot()))
	f.Add([]byte(`{"version":2,"node":"a","peers":[{"node":"b","last_seen":"2026-01-01T00:00:00Z","disks":[{"label":"\u00e9"}]}]}`))
	f.Add([]byte(`{"version":2,"node":"a","peers":[{"node":"b","last_seen":"2026-01-01T00:00:00Z","disks":[{"uuid":"u","size":15375269888,"disk":"/dev/sdb","model":"Cruzer Blade","serial":"4C53","transport":"usb","removable":true,"rotational":false}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, _, err := Decode(b)
		if errors.Is(err, ErrDecoderPanic) {
			t.Fatal(err)
		}
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := Encode(&out, s); err != nil {
			t.Fatalf("encode of a decoded snapshot: got %v, want nil", err)
		}
		s2, legacy, err := Decode(out.Bytes())
		if err != nil || legacy {
			t.Fatalf("decode of the re-encoded snapshot: got legacy=%v, %v, want JSON and nil\n%s", legacy, err, out.Bytes())
		}
		if !reflect.DeepEqual(norm(s2), norm(s)) {
			t.Fatalf("round trip: got %+v, want %+v", s2, s)
		}
	})
}
