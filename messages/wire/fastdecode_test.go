package wire

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/diskd-actors/diskd-actors/messages"
)

// The fast path reads every field of the decoded types: a field added to
// Envelope, Disk or Mount and not to decodeFast would send every datagram
// that carries it the slow way (correct, but slow).
func TestDecodeFast_KnowsEveryField(t *testing.T) {
	for _, c := range []struct {
		name       string
		names, has []string
	}{
		{"Envelope", envelopeNames, fastEnvelopeFields},
		{"Disk", diskNames, fastDiskFields},
		{"Mount", mountNames, fastMountFields},
	} {
		if !slices.Equal(slices.Sorted(slices.Values(c.names)), slices.Sorted(slices.Values(c.has))) {
			t.Errorf("%s has fields %v; decodeFast reads %v: add the missing ones to fastdecode_types.go", c.name, c.names, c.has)
		}
	}
}

// body returns the JSON envelope inside an unsigned frame.
func body(t *testing.T, b []byte) []byte {
	t.Helper()
	if !IsFrame(b) {
		return b
	}
	body, _, err := DecodeFrame(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// Whatever encoders write, and every shape ever sent, takes the fast path
// and decodes to what encoding/json makes of it.
func TestDecodeFast_TakesWhatEncodersWrite(t *testing.T) {
	in := map[string][]byte{}
	for f, b := range corpus(t) {
		in[f] = body(t, b)
	}
	disks := []messages.Disk{
		{UUID: "u-1", Label: `bäck "up" \ 1 ✓ <&> ` + "\t\u2028\x01", Device: "/dev/sda1", Type: "ext4",
			Mounts: []messages.Mount{{Path: "/mnt/x y", FSType: "ext4", ReadOnly: true}, {Path: "/b"}}},
		{Label: "x", Mounts: []messages.Mount{}}, {UUID: "😀"},
	}
	for _, e := range []*Envelope{
		{Kind: KindChunk, Node: "node-1", Instance: "0123456789abcdef", Seq: 1<<64 - 1, Agent: "a/1", Gen: 3, Chunks: 2, Index: 1, Disks: disks},
		{Kind: KindChunk, Node: "n", Instance: "0123456789abcdef", Seq: 1, Gen: 1, Chunks: 1, Disks: []messages.Disk{}},
		{Kind: KindAnnounce, Node: "node-1", Instance: "0123456789abcdef", Seq: 10, Gen: 3, Chunks: 2, Digest: Digest(disks), Count: 3},
		{Kind: KindRequest, Node: "n2", Instance: "0123456789abcdef", Seq: 1, To: "node-1", Gen: 3, Missing: []int{0, 1023}},
		{Kind: KindGoodbye, Node: "n2", Instance: "0123456789abcdef", Seq: 2},
		{Kind: KindPing, Node: "n2", Instance: "0123456789abcdef", Seq: 3},
	} {
		b, err := EncodeDatagram(e, nil)
		if err != nil {
			t.Fatal(err)
		}
		in[e.Kind+" encoded"] = body(t, b)
	}
	in["white space and unknown fields"] = []byte(" \r\n\t{ \"v\" : 2 , \"kind\":\"ping\",\"node\":\"n\",\"future\":{\"a\":[1,-2.5e+3,true,false,\"x\\u00e9\",{}],\"b\":[]}," +
		"\"instance\":\"0123456789abcdef\",\"seq\":1,\"x\":0.0}\n")
	for name, b := range in {
		var fast Envelope
		if !decodeFast(b, &fast) {
			t.Errorf("%s: the fast path gave up on %s", name, b)
			continue
		}
		var slow Envelope
		if err := decodeOne(b, &slow); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s:\nfast %+v\nslow %+v", name, fast, slow)
		}
	}
}

// The fast path decodes escapes in values, and gives its verdict on
// versions and kinds, the same as encoding/json's.
func TestDecodeFast_Verdicts(t *testing.T) {
	const ok = `{"v":2,"kind":"chunk","node":"n","instance":"0123456789abcdef","seq":1,"gen":1,"chunks":1,"index":0,"disks":[{"label":"x"}]}`
	for _, c := range []struct{ from, to, reason string }{
		{`"chunk"`, `"\u0063hunk"`, ""},
		{`"v":2`, `"v":3`, DropVersion},
		{`"v":2`, `"v":-1`, DropVersion},
		{`"chunk"`, `"gossip"`, DropKind},
		{`"chunk"`, `"` + strings.Repeat("k", 100) + `"`, DropKind},
		{`"instance":"0123456789abcdef"`, `"instance":"0123456789ABCDEF"`, DropInvalid},
	} {
		b := []byte(strings.Replace(ok, c.from, c.to, 1))
		var fast Envelope
		if !decodeFast(b, &fast) {
			t.Errorf("the fast path gave up on %s", b)
		}
		env, err := decodeBody(b, 2)
		env2, err2 := decodeSlow(b, 2)
		sameVerdict(t, b, env, err, env2, err2)
		var de *DropError
		if c.reason == "" && err != nil || c.reason != "" && (!errors.As(err, &de) || de.Reason != c.reason) {
			t.Errorf("%s: %v, want %q", b, err, c.reason)
		}
	}
	if _, err := decodeBody([]byte(strings.Replace(ok, `"v":2`, `"v":1`, 1)), 1); err == nil || !strings.Contains(err.Error(), "in version 1") {
		t.Errorf("a chunk in version 1: %v", err)
	}
}

// What the fast path is not sure of goes the slow way, and gets the same
// verdict as before.
func TestDecodeFast_GivesUp(t *testing.T) {
	const ok = `{"v":2,"kind":"chunk","node":"n","instance":"0123456789abcdef","seq":1,"gen":1,"chunks":1,"index":0,"disks":[{"label":"x","mounts":[{"path":"/m","ro":true}]}]}`
	cases := []struct{ name, from, to, reason string }{
		{"null field", `"node":"n"`, `"node":null`, DropInvalid},
		{"null disks", `"disks":[`, `"disks":null,"x":[`, ""},
		{"duplicate key", `"node":"n"`, `"node":"m","node":"n"`, ""},
		{"duplicate disk key", `"label":"x"`, `"label":"y","label":"x"`, ""},
		{"key by case", `"node"`, `"NODE"`, ""},
		{"key by Unicode folding", `"seq"`, `"ſeq"`, ""},
		{"key of a disk by case", `"label"`, `"Label"`, ""},
		{"key of a mount by case", `"path"`, `"PATH"`, ""},
		{"escaped key", `"node"`, `"no\u0064e"`, ""},
		{"surrogate pair", `"label":"x"`, `"label":"\ud83d\ude00"`, ""},
		{"lone surrogate", `"label":"x"`, `"label":"\ud83d"`, ""},
		{"float", `"seq":1`, `"seq":1.0`, DropMalformed},
		{"exponent", `"seq":1`, `"seq":1e0`, DropMalformed},
		{"minus zero", `"index":0`, `"index":-0`, ""},
		{"negative uint", `"seq":1`, `"seq":-1`, DropMalformed},
		{"overflow", `"seq":1`, `"seq":18446744073709551616`, DropMalformed},
		{"leading zero", `"seq":1`, `"seq":01`, DropMalformed},
		{"no version", `"v":2,`, ``, DropMalformed},
		{"version 0", `"v":2`, `"v":0`, DropVersion},
		{"wrong type", `"node":"n"`, `"node":5`, DropMalformed},
		{"bool as string", `"ro":true`, `"ro":"true"`, DropMalformed},
		{"control character", `"label":"x"`, "\"label\":\"x\x01\"", DropMalformed},
		{"bad escape", `"label":"x"`, `"label":"\x"`, DropMalformed},
		{"trailing comma", `"disks":[`, `"x":1,}`, DropMalformed},
		{"deep unknown", `"v":2`, `"v":2,"x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40), ""},
		{"bad unknown", `"v":2`, `"v":2,"x":[1,]`, DropMalformed},
		{"bad number in unknown", `"v":2`, `"v":2,"x":1.`, DropMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := []byte(strings.Replace(ok, c.from, c.to, 1))
			if string(b) == ok {
				t.Fatalf("%q not in the template", c.from)
			}
			var fast Envelope
			if decodeFast(b, &fast) && fast.V != 0 {
				t.Errorf("the fast path took %s", b)
			}
			env, err := decodeBody(b, 2)
			env2, err2 := decodeSlow(b, 2)
			sameVerdict(t, b, env, err, env2, err2)
			var de *DropError
			if c.reason == "" && err != nil {
				t.Errorf("%s: %v, want it accepted", b, err)
			}
			if c.reason != "" && (!errors.As(err, &de) || de.Reason != c.reason) {
				t.Errorf("%s: %v, want %s", b, err, c.reason)
			}
		})
	}
}

func sameVerdict(t *testing.T, b []byte, env *Envelope, err error, env2 *Envelope, err2 error) {
	t.Helper()
	if (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() {
		t.Fatalf("%q: verdict %v, encoding/json's %v", b, err, err2)
	}
	if !reflect.DeepEqual(env, env2) {
		t.Fatalf("%q:\none pass     %+v\nencoding/json %+v", b, env, env2)
	}
}

// FuzzDecodeFast holds decodeBody (the fast path first) to encoding/json's
// verdict and result on any body.
func FuzzDecodeFast(f *testing.F) {
	for _, b := range corpus(f) {
		if IsFrame(b) {
			b = b[FrameHeader:]
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{"v":2,"kind":"request","node":"n","instance":"0123456789abcdef","seq":1,"to":"m","gen":1,"missing":[0,3]}`,
		`{"v":2,"kind":"chunk","node":"n","instance":"0123456789abcdef","seq":1,"gen":1,"chunks":1,"index":0,"disks":[{"label":"a\"b\\u00e9\ud83d\ude00","mounts":[{"path":"/m","fstype":"x","ro":false}]}]}`,
		`{"v":2,"kind":"ping","node":"n","instance":"0123456789abcdef","seq":1,"NODE":"m","x":[{"y":null},-0.5E-7]}`,
		`{"v":1,"kind":"announce","node":"n","instance":"0123456789abcdef","seq":1,"disks":[],"disks":[{"uuid":"u"}]}`,
		// identity fields: all set, flags both ways, null, wrong types,
		// a duplicate, a case-only match, an unknown field beside them.
		`{"v":2,"kind":"chunk","node":"n","instance":"0123456789abcdef","seq":1,"gen":1,"chunks":1,"index":0,"disks":[{"uuid":"u","size":9223372036854775807,"disk":"/dev/sda","model":"M\u00e9","serial":"S","wwn":"0x5","transport":"usb","partuuid":"p","removable":true,"rotational":false,"vendor":{"x":1}}]}`,
		`{"v":2,"kind":"chunk","node":"n","instance":"0123456789abcdef","seq":1,"gen":1,"chunks":1,"index":0,"disks":[{"size":-0,"removable":null,"rotational":"yes","model":7}]}`,
		`{"v":2,"kind":"chunk","node":"n","instance":"0123456789abcdef","seq":1,"gen":1,"chunks":1,"index":0,"disks":[{"serial":"a","serial":"b","SIZE":1,"size":1.5}]}`,
		`{"v":2,"kind":"chunk","node":"n","instance":"0123456789abcdef","seq":1,"gen":1,"chunks":1,"index":0,"disks":[{"size":-9223372036854775809,"Removable":false,"wwn":"\ud800"}]}`,
		`{"v":2,"v":2}`, `{"v":-9223372036854775808}`, `{"v":9223372036854775808}`, ` {"v":2} x`, `[]`, `"v"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !utf8.Valid(b) {
			return // decodeBody drops it before either decoder sees it
		}
		for _, want := range []int{1, 2} {
			env, err := decodeBody(b, want)
			env2, err2 := decodeSlow(b, want)
			sameVerdict(t, b, env, err, env2, err2)
		}
	})
}
