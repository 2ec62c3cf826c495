package wire

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func mountEnv() *Envelope {
	return &Envelope{Kind: KindMount, Node: "asker", Instance: "00000000000000aa", Seq: 3, To: "holder",
		Mount: &MountBody{ID: strings.Repeat("ab", 16), At: 1764650000, Action: MountActionMount, Disk: "backup1", Options: []string{"ro"}}}
}

func TestMountRoundTrip(t *testing.T) {
	key := []byte("0123456789abcdef")
	for _, e := range []*Envelope{mountEnv(), func() *Envelope {
		e := mountEnv()
		e.Kind, e.To, e.Mount.At, e.Mount.Options = KindMountResult, "asker", 0, nil
		e.Mount.Result, e.Mount.Point = MountDone, "/srv/diskd/backup1"
		return e
	}()} {
		b, err := EncodeDatagram(e, key)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeDatagram(b, [][]byte{key})
		if err != nil {
			t.Fatalf("%s: %v", e.Kind, err)
		}
		if got.Kind != e.Kind || got.To != e.To || got.Mount == nil || got.Mount.ID != e.Mount.ID ||
			got.Mount.Point != e.Mount.Point || strings.Join(got.Mount.Options, ",") != strings.Join(e.Mount.Options, ",") {
			t.Fatalf("%s: got %+v %+v", e.Kind, got, got.Mount)
		}
		if _, err := DecodeDatagram(b, nil); err == nil {
			t.Fatalf("%s: a signed frame decoded without keys", e.Kind)
		}
		if _, err := DecodeDatagram(EncodeFrame(b[FrameHeader:len(b)-TagSize], nil), [][]byte{key}); err == nil {
			t.Fatalf("%s: an unsigned frame decoded with keys", e.Kind)
		}
	}
}

func TestMountInvalid(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(e *Envelope)
		want string
	}{
		{"no body", func(e *Envelope) { e.Mount = nil }, "without a mount body"},
		{"body on a ping", func(e *Envelope) { e.Kind = KindPing }, "carries a mount body"},
		{"no to", func(e *Envelope) { e.To = "" }, "to:"},
		{"short id", func(e *Envelope) { e.Mount.ID = "abc" }, "mount id"},
		{"upper-case id", func(e *Envelope) { e.Mount.ID = strings.Repeat("AB", 16) }, "mount id"},
		{"bad action", func(e *Envelope) { e.Mount.Action = "format" }, "mount action"},
		{"no disk", func(e *Envelope) { e.Mount.Disk = "" }, "no disk"},
		{"NUL in disk", func(e *Envelope) { e.Mount.Disk = "a\x00b" }, "NUL"},
		{"too many options", func(e *Envelope) { e.Mount.Options = make([]string, 17) }, "17 mount options"},
		{"empty option", func(e *Envelope) { e.Mount.Options = []string{""} }, "mount option"},
		{"long option", func(e *Envelope) { e.Mount.Options = []string{strings.Repeat("o", 65)} }, "mount option"},
		{"request without at", func(e *Envelope) { e.Mount.At = 0 }, "at > 0"},
		{"request with a result", func(e *Envelope) { e.Mount.Result = MountDone }, "no result"},
		{"answer with a bad result", func(e *Envelope) { e.Kind = KindMountResult; e.Mount.Result = "maybe" }, "mount result"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := mountEnv()
			tc.edit(e)
			b, err := EncodeDatagram(e, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = DecodeDatagram(b, nil)
			var de *DropError
			if !errors.As(err, &de) || de.Reason != DropInvalid || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want invalid: %q", err, tc.want)
			}
		})
	}
	b := []byte(`{"v":1,"kind":"mount","node":"a","instance":"00000000000000aa","seq":1}`)
	if _, err := DecodeDatagram(b, nil); err == nil || !strings.Contains(err.Error(), "kind") {
		t.Fatalf("mount in version 1: %v", err)
	}
}

func TestDecodeFast_KnowsEveryMountField(t *testing.T) {
	if !slices.Equal(slices.Sorted(slices.Values(mountBodyNames)), slices.Sorted(slices.Values(fastMountBodyFields))) {
		t.Errorf("MountBody has fields %v; decodeFast reads %v", mountBodyNames, fastMountBodyFields)
	}
}
