package statefile

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// Limits of what is loaded (and so of what is saved). MaxSize bounds the
// memory a load can take; the counts sit above what Info keeps (10,000
// peers, 100,000 sightings), so that a daemon at its caps can always save.
const (
	MaxSize      = 64 << 20
	MaxPeers     = 100_000
	MaxPeerDisks = wire.MaxDisksPerPeer
	MaxSightings = 200_000

	// legacyVersion is the version of the YAML state files.
	legacyVersion = 1
	comment       = "diskd-actors state file; written by the daemon, safe to delete"
)

// Errors callers match with errors.Is.
var (
	// ErrTooLarge: the encoded state would pass MaxSize; the save is refused.
	ErrTooLarge = errors.New("statefile: state larger than the loader accepts")
	// ErrUnsafe: the path is not a regular file (symlink, FIFO, directory,
	// device); it is neither read nor replaced.
	ErrUnsafe = errors.New("statefile: not a regular file")
	// ErrEmpty: the file holds nothing but white space.
	ErrEmpty = errors.New("statefile: empty file")
)

// Error is a load failure: where in the file and why. Offset is a byte
// offset (JSON) and Line a line number (YAML); Path names the field when
// known. It never carries the file's contents.
type Error struct {
	Offset int64
	Line   int
	Path   string
	Reason string
	noPos  bool // a YAML problem found after parsing: no position
}

func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d", e.Line)
	case !e.noPos:
		fmt.Fprintf(&b, "byte %d", e.Offset)
	}
	if e.Path != "" {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString(e.Path)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// validSnapshotHead checks the fields outside peers and sightings.
func validSnapshotHead(s *messages.StateSnapshot) (path string, err error) {
	if err := validNode(s.Node); err != nil {
		return "node", err
	}
	if err := validTime(s.SavedAt, false); err != nil {
		return "saved_at", err
	}
	return "", nil
}

// validPeer returns the failing field's name (relative to the peer).
func validPeer(p *messages.SavedPeer) (path string, err error) {
	if err := validNode(p.Node); err != nil {
		return "node", err
	}
	if !validInstance(p.Instance) {
		return "instance", errors.New("want 16 lower-case hex digits, \"legacy\" or nothing")
	}
	if err := validText(p.Address); err != nil {
		return "address", err
	}
	if err := validText(p.Version); err != nil {
		return "version", err
	}
	if err := validTime(p.FirstSeen, false); err != nil {
		return "first_seen", err
	}
	if err := validTime(p.LastSeen, true); err != nil {
		return "last_seen", err
	}
	if len(p.Disks) > MaxPeerDisks {
		return "disks", fmt.Errorf("%d disks, limit %d", len(p.Disks), MaxPeerDisks)
	}
	for j := range p.Disks {
		if err := validDisk(&p.Disks[j]); err != nil {
			return fmt.Sprintf("disks[%d]", j), err
		}
	}
	return "", nil
}

func validSighting(g *messages.Sighting) (path string, err error) {
	if err := validNode(g.Node); err != nil {
		return "node", err
	}
	if err := validTime(g.At, true); err != nil {
		return "at", err
	}
	if err := validDisk(&g.Disk); err != nil {
		return "disk", err
	}
	return "", nil
}

// validDisk applies wire.ValidDisk's rules without its allocations (it
// runs for every disk of every save); TestValidDisk_AgreesWithWire keeps
// the two in step.
func validDisk(d *messages.Disk) error {
	if d.UUID == "" && d.Label == "" {
		return errors.New("neither uuid nor label")
	}
	for _, f := range [...]struct{ name, v string }{
		{"uuid", d.UUID}, {"label", d.Label}, {"device", d.Device}, {"type", d.Type},
	} {
		if err := validText(f.v); err != nil {
			return fmt.Errorf("%s: %v", f.name, err)
		}
	}
	if len(d.Mounts) > wire.MaxMountsPerDisk {
		return fmt.Errorf("%d mounts, limit %d", len(d.Mounts), wire.MaxMountsPerDisk)
	}
	for j := range d.Mounts {
		m := &d.Mounts[j]
		if m.Path == "" || validText(m.Path) != nil || validText(m.FSType) != nil {
			return fmt.Errorf("mount %d: bad path or type", j)
		}
	}
	return wire.ValidIdentity(&d.Identity)
}

// validNode wraps wire.ValidNodeName, whose message quotes the name.
func validNode(s string) error {
	if wire.ValidNodeName(s) != nil {
		return fmt.Errorf("not a node name: want 1 to %d of [A-Za-z0-9._-], starting with a letter or digit", wire.MaxNodeName)
	}
	return nil
}

// validTime also rejects years RFC 3339 cannot spell, so that whatever is
// saved loads again.
func validTime(t time.Time, required bool) error {
	if required && t.IsZero() {
		return errors.New("missing or zero time")
	}
	if y := t.UTC().Year(); y < 0 || y > 9999 {
		return fmt.Errorf("year %d out of range", y)
	}
	return nil
}

// validInstance accepts "" (a peer restored but not heard since).
func validInstance(s string) bool {
	return s == "" || s == wire.LegacyInstance || len(s) == 16 && strings.Trim(s, "0123456789abcdef") == ""
}

// validText holds free-form fields to the rules of disk fields.
func validText(s string) error {
	switch {
	case len(s) > wire.MaxField:
		return fmt.Errorf("%d bytes, limit %d", len(s), wire.MaxField)
	case !utf8.ValidString(s):
		return errors.New("not valid UTF-8")
	case strings.IndexByte(s, 0) >= 0:
		return errors.New("contains NUL")
	}
	return nil
}
