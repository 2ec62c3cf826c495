package messages

// The wire format between daemons.
//
// Every datagram is one JSON object, the envelope:
//
//	{"v":1,"kind":"announce","node":"host1","instance":"9f86d081884c7d65",
//	 "seq":42,"disks":[{"uuid":"…","label":"…","device":"/dev/sda1","type":"ext4"}]}
//
// Version history (append only):
//
//	1  announce: the sender's whole local inventory in one datagram.
//	   Later within version 1 (older receivers drop these as "kind"):
//	   goodbye (the sender stops), ping (receivers re-announce soon);
//	   the optional "agent" field (the sender's software version) and the
//	   optional "mounts" of each disk.
//
// Kinds (append only): "announce", "goodbye", "ping".
//
// A receiver drops, and counts by reason, any datagram that is larger than
// MaxDatagram, is not exactly one JSON object, carries another version or
// kind, or fails validation. Unknown fields are ignored so that a version can
// grow optional fields; anything that changes meaning takes a new version.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

const (
	// ProtocolVersion is the envelope version this build sends.
	ProtocolVersion = 1
	// MaxDatagram is the largest datagram sent or accepted, in bytes: it fits
	// any path (IPv6 minimum MTU, tunnels) without fragmentation.
	MaxDatagram = 1200
	// MaxNodeName bounds node names, which are [A-Za-z0-9._-]+.
	MaxNodeName = 64
	// MaxField bounds each disk field (uuid, label, device, type), in bytes.
	MaxField = 256
	// MaxDisksPerDatagram bounds the disk count of one announcement.
	MaxDisksPerDatagram = 128
	// MaxMountsPerDisk bounds the mount points listed for one disk.
	MaxMountsPerDisk = 16

	// KindAnnounce carries a node's whole local inventory.
	KindAnnounce = "announce"
	// KindGoodbye says the sender is stopping: peers mark it down at once.
	KindGoodbye = "goodbye"
	// KindPing asks every peer to announce soon.
	KindPing = "ping"
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
)

// ErrTooLarge is returned by EncodeAnnounce when the inventory does not fit
// in one datagram. It is never truncated.
var ErrTooLarge = errors.New("messages: inventory does not fit in one datagram")

// Envelope is the decoded form of a datagram.
type Envelope struct {
	V        int    `json:"v"`
	Kind     string `json:"kind"`
	Node     string `json:"node"`
	Instance string `json:"instance"`
	Seq      uint64 `json:"seq"`
	Agent    string `json:"agent,omitempty"`
	Disks    []Disk `json:"disks,omitempty"`
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

// EncodeAnnounce builds the announce datagram for an inventory.
func EncodeAnnounce(node, instance string, seq uint64, disks []Disk) ([]byte, error) {
	return EncodeEnvelope(&Envelope{Kind: KindAnnounce, Node: node, Instance: instance, Seq: seq, Disks: disks})
}

// EncodeEnvelope builds a datagram of any kind; V is set here.
func EncodeEnvelope(e *Envelope) ([]byte, error) {
	env := *e
	env.V = ProtocolVersion
	if env.Kind == KindAnnounce && env.Disks == nil {
		env.Disks = []Disk{}
	}
	disks := env.Disks
	b, err := json.Marshal(&env)
	if err != nil {
		return nil, err
	}
	if len(b) > MaxDatagram || len(disks) > MaxDisksPerDatagram {
		return b, fmt.Errorf("%w: %d disks take %d bytes, limit %d bytes and %d disks",
			ErrTooLarge, len(disks), len(b), MaxDatagram, MaxDisksPerDatagram)
	}
	return b, nil
}

// DecodeDatagram validates and decodes one datagram. Errors are *DropError.
func DecodeDatagram(b []byte) (*Envelope, error) {
	if len(b) > MaxDatagram {
		return nil, drop(DropOversize, "%d bytes, limit %d", len(b), MaxDatagram)
	}
	if bytes.HasPrefix(b, []byte("diskd:")) {
		return nil, drop(DropLegacy, "datagram of the original Perl diskd")
	}
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
	if *head.V != ProtocolVersion {
		return nil, drop(DropVersion, "version %d, want %d", *head.V, ProtocolVersion)
	}
	switch head.Kind {
	case KindAnnounce, KindGoodbye, KindPing:
	default:
		return nil, drop(DropKind, "kind %.32q", head.Kind)
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
	if !validInstance(e.Instance) {
		return fmt.Errorf("instance %.40q: want 16 lower-case hex digits", e.Instance)
	}
	if e.Seq == 0 {
		return errors.New("seq 0: sequence numbers start at 1")
	}
	if e.Kind != KindAnnounce && len(e.Disks) > 0 {
		return fmt.Errorf("%s carries disks", e.Kind)
	}
	if len(e.Agent) > MaxField || !utf8.ValidString(e.Agent) {
		return errors.New("agent: too long or not UTF-8")
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
func ValidDisk(d Disk) error {
	{
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
	}
	return nil
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

func validInstance(s string) bool {
	if len(s) != 16 {
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
