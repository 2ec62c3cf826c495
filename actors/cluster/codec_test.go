package cluster

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

func testDisks() []messages.Disk {
	return []messages.Disk{{UUID: "1234-ABCD", Label: "photos", Device: "/dev/sdb1", Type: "vfat"},
		{UUID: "6a1f0c2e-51b4-4d6e-9c1a-2f3e4d5c6b7a", Device: "/dev/sdc1", Type: "ext4"}}
}

func inventory() *Payload {
	d := testDisks()
	return &Payload{Kind: KindInventory, Node: "n1", Instance: "abc", Agent: "diskd-actors/1", Gen: 3,
		Digest: wire.Digest(d), Count: len(d), Disks: d}
}

func TestEncodeDecode_RoundTrip(t *testing.T) {
	for _, p := range []*Payload{
		{Kind: KindState, Node: "n1", Instance: "abc", Gen: 7, Digest: "d", Count: 2},
		{Kind: KindRequest, Node: "n2", Instance: "def", To: "n1"},
		{Kind: KindGoodbye, Node: "n1", Instance: "abc"},
		{Kind: KindStates, Node: "n1", Instance: "abc", States: []Payload{
			{Kind: KindState, Node: "n1", Instance: "abc", Gen: 7, Digest: "d", Count: 2},
			{Kind: KindState, Node: "n2", Instance: "def", Gen: 1, Digest: "e"}}},
		inventory(),
	} {
		b, err := Encode(p)
		if err != nil {
			t.Fatalf("%s: %v", p.Kind, err)
		}
		if len(p.States) > 0 {
			got, err := Decode(b)
			if err != nil || len(got.States) != 2 || got.States[1].Node != "n2" || got.States[1].Gen != 1 {
				t.Errorf("states: %+v %v", got, err)
			}
		}
		got, err := Decode(b)
		if err != nil {
			t.Fatalf("%s: decode: %v", p.Kind, err)
		}
		if got.Kind != p.Kind || got.Node != p.Node || got.Gen != p.Gen || got.To != p.To || !messages.DisksEqual(got.Disks, p.Disks) {
			t.Errorf("%s: got %+v, want %+v", p.Kind, got, p)
		}
	}
}

// The state carries no disks: an unchanged inventory costs its few bytes.
func TestState_IsSmall(t *testing.T) {
	b, err := Encode(&Payload{Kind: KindState, Node: "some-host.example", Instance: "0123456789abcdef",
		Agent: "diskd-actors/0.1.0", Gen: 123456, Digest: strings.Repeat("f", 64), Count: 1000})
	if err != nil || len(b) > 256 {
		t.Errorf("state of %d bytes (%v), want at most 256", len(b), err)
	}
}

func TestDecode_Refuses(t *testing.T) {
	inv := inventory()
	inv.Disks[0].Label = "changed" // digest no longer matches
	bad, _ := Encode(&Payload{Kind: KindState, Node: "n1", Instance: "abc", Gen: 1})
	for name, tc := range map[string]struct {
		b      []byte
		reason string
	}{
		"empty":          {nil, wire.DropVersion},
		"version":        {append([]byte{2}, bad[1:]...), wire.DropVersion},
		"not json":       {[]byte("\x01{"), wire.DropMalformed},
		"trailing":       {append(bytes.Clone(bad), []byte(" {}")...), wire.DropMalformed},
		"unknown field":  {[]byte(`` + "\x01" + `{"kind":"state","node":"n1","instance":"a","gen":1,"x":1}`), wire.DropMalformed},
		"unknown kind":   {[]byte("\x01" + `{"kind":"chunk","node":"n1","instance":"a"}`), wire.DropInvalid},
		"bad node":       {[]byte("\x01" + `{"kind":"goodbye","node":"-x","instance":"a"}`), wire.DropInvalid},
		"no instance":    {[]byte("\x01" + `{"kind":"goodbye","node":"n1"}`), wire.DropInvalid},
		"state gen 0":    {[]byte("\x01" + `{"kind":"state","node":"n1","instance":"a"}`), wire.DropInvalid},
		"state disks":    {[]byte("\x01" + `{"kind":"state","node":"n1","instance":"a","gen":1,"disks":[{"uuid":"x"}]}`), wire.DropInvalid},
		"request no to":  {[]byte("\x01" + `{"kind":"request","node":"n1","instance":"a"}`), wire.DropInvalid},
		"bad digest":     {mustJSON(t, inv), wire.DropInvalid},
		"count mismatch": {[]byte("\x01" + `{"kind":"inventory","node":"n1","instance":"a","gen":1,"count":3}`), wire.DropInvalid},
		"too large":      {append([]byte{Version}, make([]byte, MaxPayload)...), wire.DropOversize},
		"states entry":   {[]byte("\x01" + `{"kind":"states","node":"n1","instance":"a","states":[{"kind":"request","node":"n1","instance":"a","to":"n2"}]}`), wire.DropInvalid},
		"nested states":  {[]byte("\x01" + `{"kind":"states","node":"n1","instance":"a","states":[{"kind":"state","node":"n1","instance":"a","gen":1,"states":[{}]}]}`), wire.DropInvalid},
	} {
		_, err := Decode(tc.b)
		var de *wire.DropError
		if !errors.As(err, &de) || de.Reason != tc.reason {
			t.Errorf("%s: %v, want a drop as %s", name, err, tc.reason)
		}
	}
}

// mustJSON encodes p without Encode's checks (to build bad input).
func mustJSON(t *testing.T, p *Payload) []byte {
	t.Helper()
	good := inventory()
	b, err := Encode(good)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Replace(b, []byte(`"photos"`), []byte(`"`+p.Disks[0].Label+`"`), 1)
}

func TestMeta(t *testing.T) {
	b, err := EncodeMeta(Meta{Instance: "0123456789abcdef", Agent: "diskd-actors/0.1.0"}, 512)
	if err != nil || len(b) > 64 {
		t.Fatalf("meta %q (%v)", b, err)
	}
	m, err := DecodeMeta(b)
	if err != nil || m.Instance != "0123456789abcdef" {
		t.Errorf("%+v %v", m, err)
	}
	if _, err := EncodeMeta(Meta{Instance: "x", Agent: strings.Repeat("a", 300)}, 512); err == nil {
		t.Error("meta over MaxMeta encoded")
	}
	for _, bad := range []string{"", "{}", `{"i":""}`, "[1]", `{"i":"` + strings.Repeat("a", 300) + `"}`} {
		if _, err := DecodeMeta([]byte(bad)); err == nil {
			t.Errorf("DecodeMeta(%q) accepted", bad)
		}
	}
}
