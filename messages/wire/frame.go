package wire

// The authenticated frame of protocol version 2.
//
// A frame wraps an opaque body (the JSON envelope, decoded elsewhere):
//
//	offset  size  field
//	0       4     magic "dskd"
//	4       1     frame version, FrameVersion (2)
//	5       1     flags; bit 0: an HMAC-SHA256 tag is appended
//	6       n     body
//	6+n     32    tag, if flagged: HMAC-SHA256 over bytes 0..6+n (magic,
//	              version, flags and body) with a shared key
//
// Other flag bits are reserved and must be zero. A receiver tells a frame
// from a version 1 datagram ("{") and from one of the original Perl diskd
// ("diskd:") by its magic (IsFrame).
//
// Authentication is all or nothing per daemon: with keys configured, only
// frames signed by one of them are accepted; without keys, only unsigned
// frames are, since a signed one cannot be checked. The first key of a
// keyring signs and all of them verify, so that keys can be rotated without
// a flag day: add the new key last everywhere, move it first everywhere,
// then remove the old one.

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"hash"
)

const (
	// FrameVersion is the frame version this build sends and accepts.
	FrameVersion = 2
	// FrameHeader is the size of the frame header: magic, version, flags.
	FrameHeader = 6
	// TagSize is the size of the HMAC-SHA256 tag of a signed frame.
	TagSize = sha256.Size
	// MinKeySize is the shortest key accepted, in bytes.
	MinKeySize = 16

	// flagSigned says an HMAC-SHA256 tag is appended.
	flagSigned = 1 << 0
	// flagsKnown are the flag bits this build understands.
	flagsKnown = flagSigned
)

// frameMagic starts every frame.
var frameMagic = []byte("dskd")

// Drop reasons of the frame layer. Append only: scripts read them.
const (
	// DropUnauthenticated: keys are configured, but the datagram is not
	// signed or not a version 2 frame.
	DropUnauthenticated = "unauthenticated"
	// DropBadSignature: the tag of a signed frame verifies with no key.
	DropBadSignature = "bad_signature"
	// DropUnverifiable: the frame is signed, but no keys are configured.
	DropUnverifiable = "unverifiable"
)

// IsFrame reports whether b starts with the frame magic, that is, whether
// it is to be decoded with DecodeFrame rather than as a version 1 or legacy
// datagram.
func IsFrame(b []byte) bool { return bytes.HasPrefix(b, frameMagic) }

// EncodeFrame wraps body in a frame, signed with key unless key is empty.
// The key should come from a keyring of keys of at least MinKeySize bytes.
// The caller keeps the result within MaxDatagram: with a tag, a body has
// MaxDatagram-FrameHeader-TagSize bytes.
func EncodeFrame(body []byte, key []byte) []byte {
	n := FrameHeader + len(body)
	var flags byte
	if len(key) > 0 {
		flags |= flagSigned
		n += TagSize
	}
	b := make([]byte, 0, n)
	b = append(b, frameMagic...)
	b = append(b, FrameVersion, flags)
	b = append(b, body...)
	if flags&flagSigned != 0 {
		b = appendTag(b, key, b)
	}
	return b
}

// appendTag appends the HMAC-SHA256 of data under key to dst.
func appendTag(dst, key, data []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write(data)
	return mac.Sum(dst)
}

// DecodeFrame checks a frame and returns its body, which aliases b. keys is
// the keyring; with no keys, only unsigned frames are accepted. keyIndex is
// the index in keys of the first key that verifies the tag, or -1 for an
// unsigned frame. The checks run in this order, before any of the body is
// looked at: the size (DropOversize), the header and the magic
// (DropMalformed), the frame version (DropVersion), then authentication:
// with keys, an unsigned frame is DropUnauthenticated and a tag no key
// verifies DropBadSignature; without keys, a signed frame is
// DropUnverifiable. Last, reserved flag bits that are set are
// DropMalformed. Errors are *DropError.
func DecodeFrame(b []byte, keys [][]byte) (body []byte, keyIndex int, err error) {
	return newTagVerifier(keys).decodeFrame(b)
}

// tagVerifier checks frame tags with one HMAC state per key, reset and
// reused from one frame to the next (hmac.New costs more than hashing a
// datagram). Not safe for concurrent use.
type tagVerifier struct {
	macs []hash.Hash
	sum  [TagSize]byte
}

func newTagVerifier(keys [][]byte) *tagVerifier {
	v := &tagVerifier{}
	for _, k := range keys {
		v.macs = append(v.macs, hmac.New(sha256.New, k))
	}
	return v
}

// verify returns the index of the first key whose tag over data is tag,
// or -1.
func (v *tagVerifier) verify(data, tag []byte) int {
	keyIndex := -1
	for i, mac := range v.macs {
		// Every key is tried, whatever matched, so that the time taken
		// says nothing about which key did.
		mac.Reset()
		mac.Write(data)
		if hmac.Equal(mac.Sum(v.sum[:0]), tag) && keyIndex < 0 {
			keyIndex = i
		}
	}
	return keyIndex
}

// decodeFrame is DecodeFrame with v's keys.
func (v *tagVerifier) decodeFrame(b []byte) (body []byte, keyIndex int, err error) {
	keyed := len(v.macs) > 0
	if len(b) > MaxDatagram {
		return nil, -1, drop(DropOversize, "%d bytes, limit %d", len(b), MaxDatagram)
	}
	if len(b) < FrameHeader {
		return nil, -1, drop(DropMalformed, "%d bytes, shorter than the %d-byte frame header", len(b), FrameHeader)
	}
	if !IsFrame(b) {
		return nil, -1, drop(DropMalformed, "no frame magic")
	}
	if v := b[4]; v != FrameVersion {
		return nil, -1, drop(DropVersion, "frame version %d, want %d", v, FrameVersion)
	}
	flags := b[5]
	signed := flags&flagSigned != 0
	end := len(b)
	if signed {
		if len(b) < FrameHeader+TagSize {
			return nil, -1, drop(DropMalformed, "%d bytes, too short for a signed frame", len(b))
		}
		end -= TagSize
	}
	keyIndex = -1
	switch {
	case keyed && !signed:
		return nil, -1, drop(DropUnauthenticated, "frame not signed")
	case keyed:
		if keyIndex = v.verify(b[:end], b[end:]); keyIndex < 0 {
			return nil, -1, drop(DropBadSignature, "no key verifies the tag")
		}
	case signed:
		return nil, -1, drop(DropUnverifiable, "frame signed, but no keys are configured")
	}
	if flags&^flagsKnown != 0 {
		return nil, -1, drop(DropMalformed, "reserved flag bits %#04x set", flags&^flagsKnown)
	}
	return b[FrameHeader:end], keyIndex, nil
}
