package wire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

var (
	keyA = []byte("key A: sixteen or more bytes")
	keyB = []byte("key B: sixteen or more bytes")
	keyC = []byte("key C: sixteen or more bytes")
)

// dropReason returns the Reason of a *DropError, or fails.
func dropReason(t *testing.T, err error) string {
	t.Helper()
	var de *DropError
	if !errors.As(err, &de) {
		t.Fatalf("got error %v (%T), want a *DropError", err, err)
	}
	if de.Detail == "" || len(de.Detail) > 80 {
		t.Errorf("detail %q: want a short, non-empty detail", de.Detail)
	}
	return de.Reason
}

func TestFrame_RoundTrip(t *testing.T) {
	for _, body := range [][]byte{
		nil,
		[]byte(`{"v":2,"kind":"ping","node":"a","instance":"0123456789abcdef","seq":1}`),
		bytes.Repeat([]byte{0xff}, MaxDatagram-FrameHeader-TagSize),
	} {
		t.Run("unsigned", func(t *testing.T) {
			b := EncodeFrame(body, nil)
			if len(b) != FrameHeader+len(body) || !IsFrame(b) || b[4] != FrameVersion || b[5] != 0 {
				t.Fatalf("EncodeFrame: got % x", b[:FrameHeader])
			}
			got, i, err := DecodeFrame(b, nil)
			if err != nil || !bytes.Equal(got, body) || i != -1 {
				t.Errorf("DecodeFrame: got %q, %d, %v; want the body, -1, no error", got, i, err)
			}
		})
		t.Run("signed", func(t *testing.T) {
			b := EncodeFrame(body, keyA)
			if len(b) != FrameHeader+len(body)+TagSize || !IsFrame(b) || b[5] != 1 {
				t.Fatalf("EncodeFrame: got % x, %d bytes", b[:FrameHeader], len(b))
			}
			got, i, err := DecodeFrame(b, [][]byte{keyA})
			if err != nil || !bytes.Equal(got, body) || i != 0 {
				t.Errorf("DecodeFrame: got %q, %d, %v; want the body, 0, no error", got, i, err)
			}
		})
	}
}

// The tag is HMAC-SHA256 over the header and the body: a known answer
// (computed with Python's hmac module), so that another implementation can
// be checked against it.
func TestFrame_KnownAnswer(t *testing.T) {
	got := hex.EncodeToString(EncodeFrame([]byte("{}"), []byte("0123456789abcdef")))
	want := "64736b640201" + "7b7d" + "1a97fe74776f8197fa6a5d8e203c375ec5a1a430395ad0181b646ad043e782fa"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestFrame_KeyRotation(t *testing.T) {
	b := EncodeFrame([]byte("body"), keyA)
	for _, tc := range []struct {
		name string
		keys [][]byte
		want int
	}{
		{"only A", [][]byte{keyA}, 0},
		{"new key first", [][]byte{keyB, keyA}, 1},
		{"A first", [][]byte{keyA, keyB}, 0},
		{"A twice", [][]byte{keyC, keyA, keyA}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, i, err := DecodeFrame(b, tc.keys)
			if err != nil || i != tc.want || string(body) != "body" {
				t.Errorf("got %q, %d, %v; want body, %d, no error", body, i, err, tc.want)
			}
		})
	}
}

func TestFrame_Rejections(t *testing.T) {
	signed := EncodeFrame([]byte("body"), keyA)
	unsigned := EncodeFrame([]byte("body"), nil)
	with := func(b []byte, at int, v byte) []byte {
		c := bytes.Clone(b)
		c[at] = v
		return c
	}
	ring := [][]byte{keyB, keyC}
	for _, tc := range []struct {
		name string
		b    []byte
		keys [][]byte
		want string
	}{
		{"oversize unsigned", EncodeFrame(make([]byte, MaxDatagram-FrameHeader+1), nil), nil, DropOversize},
		{"oversize signed, before the tag is checked", EncodeFrame(make([]byte, MaxDatagram-FrameHeader-TagSize+1), keyA), [][]byte{keyA}, DropOversize},
		{"oversize garbage", make([]byte, MaxDatagram+1), nil, DropOversize},
		{"empty", nil, nil, DropMalformed},
		{"magic only", []byte("dskd"), nil, DropMalformed},
		{"header short by one", []byte("dskd\x02"), [][]byte{keyA}, DropMalformed},
		{"wrong magic", with(unsigned, 0, 'D'), nil, DropMalformed},
		{"version 1 JSON", []byte(`{"v":1,"kind":"ping"}`), nil, DropMalformed},
		{"legacy", []byte("diskd:host:uuid"), nil, DropMalformed},
		{"frame version 1", with(unsigned, 4, 1), nil, DropVersion},
		{"frame version 3, signed", with(signed, 4, 3), [][]byte{keyA}, DropVersion},
		{"frame version 0", with(unsigned, 4, 0), [][]byte{keyA}, DropVersion},
		{"truncated tag", signed[:len(signed)-1], [][]byte{keyA}, DropBadSignature},
		{"tag only, no body", signed[:FrameHeader+TagSize-1], [][]byte{keyA}, DropMalformed},
		{"flagged, header only", []byte("dskd\x02\x01"), [][]byte{keyA}, DropMalformed},
		{"flagged, header only, no keys", []byte("dskd\x02\x01"), nil, DropMalformed},
		{"unsigned with keys", unsigned, [][]byte{keyA}, DropUnauthenticated},
		{"unsigned empty body with keys", EncodeFrame(nil, nil), [][]byte{keyA}, DropUnauthenticated},
		{"signed with another key", signed, ring, DropBadSignature},
		{"signed, flag cleared", with(signed, 5, 0), [][]byte{keyA}, DropUnauthenticated},
		{"unsigned, flag set", with(unsigned, 5, 1), [][]byte{keyA}, DropMalformed}, // shorter than a tag
		{"signed without keys", signed, nil, DropUnverifiable},
		{"signed with an empty keyring", signed, [][]byte{}, DropUnverifiable},
		{"unknown flag, unsigned", with(unsigned, 5, 2), nil, DropMalformed},
		{"unknown flag, unsigned, keys", with(unsigned, 5, 0x80), [][]byte{keyA}, DropUnauthenticated},
		{"unknown flag, signed, keys: the tag no longer verifies", with(signed, 5, 3), [][]byte{keyA}, DropBadSignature},
		{"unknown flag, signed by a peer", signedWithFlags([]byte("body"), 0x81, keyA), [][]byte{keyA}, DropMalformed},
		{"unknown flag, signed, no keys", signedWithFlags([]byte("body"), 0x81, keyA), nil, DropUnverifiable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, i, err := DecodeFrame(tc.b, tc.keys)
			if err == nil {
				t.Fatalf("got %q, %d and no error, want %s", body, i, tc.want)
			}
			if got := dropReason(t, err); got != tc.want {
				t.Errorf("got %v, want reason %s", err, tc.want)
			}
			if body != nil || i != -1 {
				t.Errorf("got body %q, key %d with the error, want nil, -1", body, i)
			}
		})
	}
}

// signedWithFlags builds a signed frame with other flag bits set too, as a
// later version might.
func signedWithFlags(body []byte, flags byte, key []byte) []byte {
	b := append([]byte("dskd"), FrameVersion, flags)
	b = append(b, body...)
	return appendTag(b, key, b)
}

// Changing any single byte of a signed frame, in any way, is detected.
func TestFrame_Tampering(t *testing.T) {
	body := []byte(`{"v":2,"kind":"announce","node":"a","instance":"0123456789abcdef","seq":7}`)
	signed := EncodeFrame(body, keyA)
	keys := [][]byte{keyB, keyA}
	for pos := range signed {
		for _, delta := range []byte{0x01, 0x80, 0xff} {
			b := bytes.Clone(signed)
			b[pos] ^= delta
			got, i, err := DecodeFrame(b, keys)
			if err == nil {
				t.Fatalf("byte %d ^ %#02x: accepted %q with key %d", pos, delta, got, i)
			}
			want := DropBadSignature
			switch {
			case pos < 4:
				want = DropMalformed
			case pos == 4:
				want = DropVersion
			case pos == 5 && b[5]&flagSigned == 0:
				want = DropUnauthenticated
			}
			if r := dropReason(t, err); r != want {
				t.Errorf("byte %d ^ %#02x: got %v, want %s", pos, delta, err, want)
			}
		}
	}
	// Every shorter prefix and every longer frame fails too.
	for n := range len(signed) {
		if _, _, err := DecodeFrame(signed[:n], keys); err == nil {
			t.Errorf("prefix of %d bytes accepted", n)
		}
	}
	if _, _, err := DecodeFrame(append(bytes.Clone(signed), 0), keys); err == nil {
		t.Errorf("frame with a byte appended accepted")
	}
}

func TestIsFrame(t *testing.T) {
	for in, want := range map[string]bool{
		"":                   false,
		"dsk":                false,
		"dskd":               true,
		"dskd\x02\x00{}":     true,
		"DSKD\x02\x00{}":     false,
		`{"v":1}`:            false,
		"diskd:host:uuid:lb": false,
	} {
		if got := IsFrame([]byte(in)); got != want {
			t.Errorf("IsFrame(%q): got %v, want %v", in, got, want)
		}
	}
}

func TestFrame_EmptyKeyIsUnsigned(t *testing.T) {
	if a, b := EncodeFrame([]byte("x"), nil), EncodeFrame([]byte("x"), []byte{}); !bytes.Equal(a, b) || a[5] != 0 {
		t.Errorf("got % x and % x, want the same unsigned frame", a, b)
	}
}

// fuzzKeys is the keyring of FuzzDecodeFrame; the signed seeds in
// testdata/fuzz/FuzzDecodeFrame are signed with keyA.
var fuzzKeys = [][]byte{keyB, keyA}

func FuzzDecodeFrame(f *testing.F) {
	for _, b := range [][]byte{
		EncodeFrame(nil, nil),
		EncodeFrame([]byte(`{"v":2}`), nil),
		EncodeFrame([]byte(`{"v":2}`), keyA),
		EncodeFrame([]byte(`{"v":2}`), keyB),
		EncodeFrame([]byte(`{"v":2}`), keyC),
		signedWithFlags([]byte("x"), 0x03, keyA),
		[]byte("dskd\x02\x01"),
		[]byte(`{"v":1,"kind":"ping"}`),
		[]byte("diskd:host"),
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		in := bytes.Clone(b)
		for _, keys := range [][][]byte{nil, fuzzKeys} {
			body, i, err := DecodeFrame(b, keys)
			if !bytes.Equal(b, in) {
				t.Fatalf("DecodeFrame modified its input")
			}
			if err != nil {
				var de *DropError
				if !errors.As(err, &de) || body != nil || i != -1 {
					t.Fatalf("got %q, %d, %v; want nil, -1 and a *DropError", body, i, err)
				}
				continue
			}
			var key []byte
			if keys != nil {
				if i < 0 || i >= len(keys) {
					t.Fatalf("key index %d of %d keys", i, len(keys))
				}
				key = keys[i]
			} else if i != -1 {
				t.Fatalf("key index %d without keys", i)
			}
			if again := EncodeFrame(body, key); !bytes.Equal(again, b) {
				t.Fatalf("accepted % x, re-encoded as % x", b, again)
			}
		}
	})
}
