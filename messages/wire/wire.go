package wire

// The wire format between daemons.
//
// Version 2 (sent now): every datagram is a frame (frame.go): the magic
// "dskd", the frame version 2, flags, a JSON envelope, and an HMAC-SHA256
// tag when keys are configured. Authentication comes before any decoding.
// The envelope's kinds:
//
//	announce  small and periodic, whatever the disk count: the inventory's
//	          generation, digest, disk count and number of chunks
//	chunk     one numbered part of a generation's inventory; sent when the
//	          inventory changed, or on request
//	request   asks a node for the chunks of a generation (missing: indexes;
//	          empty means all)
//	goodbye   the sender stops; peers mark it down at once
//	ping      every receiver announces soon
//	mount     asks the node To to mount or unmount one of its disks
//	mount-result  the holder's answer to a mount, To the asker (mount.go)
//
// Version history (append only):
//
//	1  a bare JSON envelope (no frame) with the whole inventory in one
//	   announce, and later goodbye, ping, agent and mounts. Still decoded,
//	   when no keys are configured; never sent.
//	2  the frame, HMAC authentication, chunked inventories.
//
// A receiver drops, and counts by reason, any datagram that is larger than
// MaxDatagram, fails authentication, is not exactly one JSON object,
// carries an unknown version or kind, or fails validation. Unknown fields
// are ignored so that a version can grow optional fields; anything that
// changes meaning takes a new version.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/diskd-actors/diskd-actors/messages"
)

const (
	// ProtocolVersion is the envelope version this build sends.
	ProtocolVersion = 2
	// MaxDatagram is the largest datagram sent or accepted, in bytes: it fits
	// any path (IPv6 minimum MTU, tunnels) without fragmentation.
	MaxDatagram = 1200
	// MaxNodeName bounds node names, which are [A-Za-z0-9._-]+.
	MaxNodeName = 64
	// MaxField bounds each disk field (uuid, label, device, type), in bytes.
	MaxField = 256
	// MaxDisksPerDatagram bounds the disk count of one chunk.
	MaxDisksPerDatagram = 128
	// MaxMountsPerDisk bounds the mount points listed for one disk.
	MaxMountsPerDisk = 16
	// MaxChunks bounds the chunks of one generation.
	MaxChunks = 1024
	// MaxDisksPerPeer bounds one node's inventory.
	MaxDisksPerPeer = 10000
)

// Envelope kinds (append only).
const (
	KindAnnounce = "announce"
	KindChunk    = "chunk"
	KindRequest  = "request"
	KindGoodbye  = "goodbye"
	KindPing     = "ping"
)

// Drop reasons, as counted in status. Append only: scripts read them.
const (
	DropOversize  = "oversize"
	DropMalformed = "malformed"
	DropVersion   = "version"
	DropKind      = "kind"
	DropInvalid   = "invalid"
	DropLegacy    = "legacy"
	DropStale     = "stale"
	DropWrongDest = "wrong_destination"
	DropNodeClash = "node_conflict"
	DropReplay    = "replay"
	DropRate      = "rate_limited"
	DropBusy      = "busy"
	DropPeerLimit = "peer_limit"
	DropPingLimit = "ping_rate_limited"
	// DropLegacyFromModern: a legacy copy sent by a daemon whose own
	// datagrams we already hear (legacy.announce), ignored.
	DropLegacyFromModern = "legacy_from_modern"
	// DropDecoderPanic: decoding the datagram panicked; the reader
	// recovered and dropped it.
	DropDecoderPanic = "decoder_panic"
	// DropOverBudget: an inventory refused whole because it would take
	// Info past limits.max_disks or limits.max_bytes.
	DropOverBudget = "over_budget"
)

// ErrTooLarge is returned when something does not fit in one datagram. It
// is never truncated.
var ErrTooLarge = errors.New("messages: does not fit in one datagram")

// Envelope is the decoded form of a datagram; which fields are set depends
// on Kind.
type Envelope struct {
	V        int    `json:"v"`
	Kind     string `json:"kind"`
	Node     string `json:"node"`
	Instance string `json:"instance"`
	Seq      uint64 `json:"seq"`
	Agent    string `json:"agent,omitempty"`
	// announce and chunk: the inventory generation and its chunk count.
	Gen    uint64 `json:"gen,omitempty"`
	Chunks int    `json:"chunks,omitempty"`
	// announce: the inventory's digest and disk count.
	Digest string `json:"digest,omitempty"`
	Count  int    `json:"count,omitempty"`
	// chunk: which part this is.
	Index int `json:"index,omitempty"`
	// request: the node asked and the chunks wanted (empty: all).
	To      string `json:"to,omitempty"`
	Missing []int  `json:"missing,omitempty"`
	// chunk (version 2), announce (version 1): the disks.
	Disks []messages.Disk `json:"disks,omitempty"`
	// mount and mount-result (mount.go): the request or its answer.
	Mount *MountBody `json:"mount,omitempty"`
}

// DropError says why a datagram was rejected; Reason is one of the Drop
// constants.
type DropError struct {
	Reason string
	Detail string
}

func (e *DropError) Error() string { return e.Reason + ": " + e.Detail }

func drop(reason, format string, a ...any) error {
	return &DropError{Reason: reason, Detail: fmt.Sprintf(format, a...)}
}

// EncodeDatagram builds a version 2 datagram, signed with key unless it is
// nil. V is set here.
func EncodeDatagram(e *Envelope, key []byte) ([]byte, error) {
	env := *e
	env.V = ProtocolVersion
	body, err := json.Marshal(&env)
	if err != nil {
		return nil, err
	}
	b := EncodeFrame(body, key)
	if len(b) > MaxDatagram {
		return b, fmt.Errorf("%w: %s of %d bytes, limit %d", ErrTooLarge, env.Kind, len(b), MaxDatagram)
	}
	return b, nil
}

// DecodeDatagram authenticates, decodes and validates one datagram. keys
// is the keyring (nil without authentication). A datagram of the original
// Perl diskd is reported as DropLegacy for the caller to handle. Errors are
// *DropError. A Decoder does the same for a stream of datagrams, cheaper.
func DecodeDatagram(b []byte, keys [][]byte) (*Envelope, error) {
	return NewDecoder(keys).Decode(b)
}

// Decoder decodes datagrams as DecodeDatagram does, with state kept from
// one datagram to the next (the keys' HMACs). Not safe for concurrent use:
// each reading goroutine has its own.
type Decoder struct {
	tags *tagVerifier
}

// NewDecoder returns a Decoder for the keyring keys (nil without
// authentication).
func NewDecoder(keys [][]byte) *Decoder { return &Decoder{tags: newTagVerifier(keys)} }

// Decode authenticates, decodes and validates one datagram (DecodeDatagram).
func (d *Decoder) Decode(b []byte) (*Envelope, error) {
	if bytes.HasPrefix(b, []byte(LegacyPrefix)) {
		return nil, drop(DropLegacy, "datagram of the original Perl diskd")
	}
	if len(b) > MaxDatagram {
		return nil, drop(DropOversize, "%d bytes, limit %d", len(b), MaxDatagram)
	}
	if IsFrame(b) {
		body, _, err := d.tags.decodeFrame(b)
		if err != nil {
			return nil, err
		}
		return decodeBody(body, ProtocolVersion)
	}
	if len(d.tags.macs) > 0 {
		return nil, drop(DropUnauthenticated, "not a signed frame")
	}
	return decodeBody(b, 1)
}

// decodeBody decodes a JSON envelope that must carry version want: in one
// pass when it can (decodeFast), else with encoding/json (decodeSlow),
// with the same verdict either way.
func decodeBody(b []byte, want int) (*Envelope, error) {
	if !utf8.Valid(b) {
		// encoding/json would quietly turn bad bytes into U+FFFD.
		return nil, drop(DropMalformed, "not valid UTF-8")
	}
	env := new(Envelope)
	if !decodeFast(b, env) || env.V == 0 { // no "v", or "v":0: the slow path tells which
		return decodeSlow(b, want)
	}
	if err := checkHead(env.V, env.Kind, want); err != nil {
		return nil, err
	}
	if err := env.validate(); err != nil {
		return nil, drop(DropInvalid, "%v", err)
	}
	return env, nil
}

// decodeSlow decodes a body of valid UTF-8 with encoding/json: the
// reference decoder, and the one that says why a body is dropped.
func decodeSlow(b []byte, want int) (*Envelope, error) {
	// Peek at the version first so that a future version with another
	// shape is ignored as "version", not miscounted as malformed.
	var head struct {
		V    *int   `json:"v"`
		Kind string `json:"kind"`
	}
	if err := decodeOne(b, &head); err != nil {
		return nil, drop(DropMalformed, "%v", err)
	}
	if head.V == nil {
		return nil, drop(DropMalformed, "no version field")
	}
	if err := checkHead(*head.V, head.Kind, want); err != nil {
		return nil, err
	}
	var env Envelope
	if err := decodeOne(b, &env); err != nil {
		return nil, drop(DropMalformed, "%v", err)
	}
	if err := env.validate(); err != nil {
		return nil, drop(DropInvalid, "%v", err)
	}
	return &env, nil
}

// checkHead checks an envelope's version and kind.
func checkHead(v int, kind string, want int) error {
	if v != want {
		return drop(DropVersion, "version %d, want %d", v, want)
	}
	switch kind {
	case KindAnnounce, KindGoodbye, KindPing:
	case KindChunk, KindRequest, KindMount, KindMountResult:
		if want == 1 {
			return drop(DropKind, "kind %q in version 1", kind)
		}
	default:
		return drop(DropKind, "kind %.32q", kind)
	}
	return nil
}

// decodeOne decodes exactly one JSON value from b into v.
func decodeOne(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

func (e *Envelope) validate() error {
	if err := ValidNodeName(e.Node); err != nil {
		return err
	}
	if !validHex(e.Instance, 16) {
		return fmt.Errorf("instance %.40q: want 16 lower-case hex digits", e.Instance)
	}
	if e.Seq == 0 {
		return errors.New("seq 0: sequence numbers start at 1")
	}
	if err := validField(e.Agent); err != nil {
		return fmt.Errorf("agent: %v", err)
	}
	v2Announce := e.V == 2 && e.Kind == KindAnnounce
	switch {
	case e.Kind == KindChunk || v2Announce:
		if e.Gen == 0 || e.Chunks < 1 || e.Chunks > MaxChunks {
			return fmt.Errorf("gen %d, chunks %d: want gen >= 1 and 1 to %d chunks", e.Gen, e.Chunks, MaxChunks)
		}
	case len(e.Disks) > 0 && !(e.V == 1 && e.Kind == KindAnnounce):
		return fmt.Errorf("%s carries disks", e.Kind)
	}
	if v2Announce {
		if len(e.Disks) > 0 || !validHex(e.Digest, 16) || e.Count < 0 || e.Count > MaxDisksPerPeer {
			return fmt.Errorf("announce: disks, digest %.40q or count %d out of bounds", e.Digest, e.Count)
		}
	}
	if e.Kind == KindChunk && (e.Index < 0 || e.Index >= e.Chunks) {
		return fmt.Errorf("chunk index %d of %d", e.Index, e.Chunks)
	}
	if e.Kind == KindRequest {
		if err := ValidNodeName(e.To); err != nil {
			return fmt.Errorf("to: %v", err)
		}
		if len(e.Missing) > MaxChunks {
			return fmt.Errorf("%d missing chunks, limit %d", len(e.Missing), MaxChunks)
		}
		for _, i := range e.Missing {
			if i < 0 || i >= MaxChunks {
				return fmt.Errorf("missing chunk %d out of range", i)
			}
		}
	}
	if err := validMount(e); err != nil {
		return err
	}
	if len(e.Disks) > MaxDisksPerDatagram {
		return fmt.Errorf("%d disks, limit %d", len(e.Disks), MaxDisksPerDatagram)
	}
	for i, d := range e.Disks {
		if err := ValidDisk(d); err != nil {
			return fmt.Errorf("disk %d: %v", i, err)
		}
	}
	return nil
}

// ValidDisk checks one disk as the wire and the state file accept it: a
// uuid or a label, fields of valid UTF-8 without NUL of at most MaxField
// bytes, at most MaxMountsPerDisk mounts with a path.
func ValidDisk(d messages.Disk) error {
	if d.UUID == "" && d.Label == "" {
		return errors.New("neither uuid nor label")
	}
	for _, f := range [...]struct{ name, v string }{
		{"uuid", d.UUID}, {"label", d.Label}, {"device", d.Device}, {"type", d.Type},
	} {
		if err := validField(f.v); err != nil {
			return fmt.Errorf("%s: %v", f.name, err)
		}
	}
	if len(d.Mounts) > MaxMountsPerDisk {
		return fmt.Errorf("%d mounts, limit %d", len(d.Mounts), MaxMountsPerDisk)
	}
	for j, m := range d.Mounts {
		if m.Path == "" || validField(m.Path) != nil || validField(m.FSType) != nil {
			return fmt.Errorf("mount %d: bad path or type", j)
		}
	}
	return ValidIdentity(&d.Identity)
}

// ValidNodeName checks a node name: 1 to MaxNodeName bytes of
// [A-Za-z0-9._-], starting with a letter or digit.
func ValidNodeName(s string) error {
	if s == "" || len(s) > MaxNodeName {
		return fmt.Errorf("node name %.80q: want 1 to %d characters", s, MaxNodeName)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '.' && c != '_' && c != '-') {
			return fmt.Errorf("node name %.80q: want [A-Za-z0-9._-], starting with a letter or digit", s)
		}
	}
	return nil
}

func validHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func validField(s string) error {
	if len(s) > MaxField {
		return fmt.Errorf("%d bytes, limit %d", len(s), MaxField)
	}
	if !utf8.ValidString(s) {
		return errors.New("not valid UTF-8")
	}
	if bytes.IndexByte([]byte(s), 0) >= 0 {
		return errors.New("contains NUL")
	}
	return nil
}
