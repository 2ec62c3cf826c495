package actors

// The state file keeps what a daemon knew (peers, where disks were last
// seen) across restarts. It is YAML so that an operator can read it, but it
// is outside input all the same: anyone who can write the file can feed the
// daemon, so DecodeState bounds and validates everything. Losing the file
// costs only history, so an unusable one is moved aside, never fatal.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

const (
	// maxStateFile bounds what is read and decoded, so a stray huge file
	// cannot exhaust memory at start-up.
	maxStateFile      = 64 << 20
	maxStatePeers     = 10_000
	maxStatePeerDisks = 10_000
	maxStateSightings = 100_000

	stateHeader = "# diskd-actors state file; written by the daemon, safe to delete\n"
)

// errDecoderPanic marks a recovered YAML decoder panic: the daemon survives
// it, and FuzzDecodeState fails on it.
var errDecoderPanic = errors.New("YAML decoder panicked")

// EncodeState renders a snapshot as the state file. It stamps the current
// StateVersion and validates first, so the daemon never writes a file that
// DecodeState would refuse on the next start.
func EncodeState(s *messages.StateSnapshot) ([]byte, error) {
	if s == nil {
		return nil, errors.New("encode state: nil snapshot")
	}
	c := *s
	c.Version = messages.StateVersion
	if err := validateState(&c); err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	var buf bytes.Buffer
	buf.WriteString(stateHeader)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&c); err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	return buf.Bytes(), nil
}

// DecodeState parses and validates a state file: exactly one YAML document,
// no unknown keys (a typo must not silently drop data), this build's
// version, and every field within the limits the wire protocol applies.
func DecodeState(b []byte) (snap *messages.StateSnapshot, err error) {
	if len(b) > maxStateFile {
		return nil, fmt.Errorf("state file is %d bytes, limit %d", len(b), maxStateFile)
	}
	defer func() {
		if r := recover(); r != nil {
			snap, err = nil, fmt.Errorf("malformed state file: %w: %v", errDecoderPanic, r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var s messages.StateSnapshot
	if err := dec.Decode(&s); err != nil {
		if err == io.EOF {
			return nil, errors.New("empty state file")
		}
		return nil, fmt.Errorf("malformed state file: %w", err)
	}
	// Unmarshal would ignore a second document; a Decoder does not.
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, errors.New("malformed state file: more than one YAML document")
	} else if err != io.EOF {
		return nil, fmt.Errorf("malformed state file after the first document: %w", err)
	}
	if s.Version != messages.StateVersion {
		return nil, fmt.Errorf("unsupported state file version %d", s.Version)
	}
	if err := validateState(&s); err != nil {
		return nil, fmt.Errorf("invalid state file: %w", err)
	}
	return &s, nil
}

func validateState(s *messages.StateSnapshot) error {
	if err := wire.ValidNodeName(s.Node); err != nil {
		return fmt.Errorf("node: %v", err)
	}
	if err := validStateTime(s.SavedAt, false); err != nil {
		return fmt.Errorf("saved_at: %v", err)
	}
	if len(s.Peers) > maxStatePeers {
		return fmt.Errorf("%d peers, limit %d", len(s.Peers), maxStatePeers)
	}
	seen := make(map[string]bool, len(s.Peers))
	for i, p := range s.Peers {
		if err := validSavedPeer(p, seen); err != nil {
			return fmt.Errorf("peers[%d].%v", i, err)
		}
	}
	if len(s.Sightings) > maxStateSightings {
		return fmt.Errorf("%d sightings, limit %d", len(s.Sightings), maxStateSightings)
	}
	for i, g := range s.Sightings {
		if err := wire.ValidNodeName(g.Node); err != nil {
			return fmt.Errorf("sightings[%d].node: %v", i, err)
		}
		if err := validStateTime(g.At, true); err != nil {
			return fmt.Errorf("sightings[%d].at: %v", i, err)
		}
		if err := wire.ValidDisk(g.Disk); err != nil {
			return fmt.Errorf("sightings[%d].disk: %v", i, err)
		}
	}
	return nil
}

// validSavedPeer returns errors that start with the field name, to follow
// "peers[i].".
func validSavedPeer(p messages.SavedPeer, seen map[string]bool) error {
	if err := wire.ValidNodeName(p.Node); err != nil {
		return fmt.Errorf("node: %v", err)
	}
	if seen[p.Node] {
		return fmt.Errorf("node %q: duplicate peer", p.Node)
	}
	seen[p.Node] = true
	if !validStateInstance(p.Instance) {
		return fmt.Errorf("instance %.40q: want 16 lower-case hex digits or nothing", p.Instance)
	}
	if err := validStateText(p.Address); err != nil {
		return fmt.Errorf("address: %v", err)
	}
	if err := validStateText(p.Version); err != nil {
		return fmt.Errorf("version: %v", err)
	}
	if err := validStateTime(p.FirstSeen, false); err != nil {
		return fmt.Errorf("first_seen: %v", err)
	}
	if err := validStateTime(p.LastSeen, true); err != nil {
		return fmt.Errorf("last_seen: %v", err)
	}
	if len(p.Disks) > maxStatePeerDisks {
		return fmt.Errorf("disks: %d, limit %d", len(p.Disks), maxStatePeerDisks)
	}
	for j, d := range p.Disks {
		if err := wire.ValidDisk(d); err != nil {
			return fmt.Errorf("disks[%d]: %v", j, err)
		}
	}
	return nil
}

// validStateTime also rejects years YAML timestamps cannot spell, so that
// whatever EncodeState writes decodes again.
func validStateTime(t time.Time, required bool) error {
	if required && t.IsZero() {
		return errors.New("missing or zero time")
	}
	if y := t.Year(); y < 0 || y > 9999 {
		return fmt.Errorf("year %d out of range", y)
	}
	return nil
}

// validStateInstance accepts "" (a peer restored but not heard since).
func validStateInstance(s string) bool {
	return s == "" || s == wire.LegacyInstance || len(s) == 16 && strings.Trim(s, "0123456789abcdef") == ""
}

// validStateText holds free-form fields to the rules of disk fields.
func validStateText(s string) error {
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

// WriteStateFile replaces path atomically: a crash leaves the old file or
// the new one, never a torn one. The file is private (0600) because it maps
// the network and its disks.
func WriteStateFile(path string, data []byte) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("save state: %w", err)
		}
	}()
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".diskd-state-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name()) // fails harmlessly once renamed
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	// The rename is durable only once the directory is synced.
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err = d.Sync(); errors.Is(err, syscall.EINVAL) {
		err = nil // the filesystem cannot sync directories
	}
	return err
}

// LoadStateFile reads the state file. A missing file is a first start:
// (nil, nil). An unreadable or invalid file is moved aside, kept for the
// operator to inspect, so the next save does not destroy the evidence;
// the returned warning says why and where it went, and the daemon starts
// without saved state.
func LoadStateFile(path string, now time.Time) (*messages.StateSnapshot, error) {
	b, err := readStateFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err == nil {
		var snap *messages.StateSnapshot
		if snap, err = DecodeState(b); err == nil {
			return snap, nil
		}
	}
	base := path + ".corrupt-" + now.UTC().Format("20060102T150405Z")
	aside := base
	// Keep an earlier corrupt file from the same second.
	for i := 1; i < 100; i++ {
		if _, serr := os.Lstat(aside); errors.Is(serr, fs.ErrNotExist) {
			break
		}
		aside = fmt.Sprintf("%s.%d", base, i)
	}
	if merr := os.Rename(path, aside); merr != nil {
		return nil, fmt.Errorf("state file %s unusable, starting without saved state: %w; could not move it aside, left in place: %v", path, err, merr)
	}
	return nil, fmt.Errorf("state file %s unusable, moved to %s, starting without saved state: %w", path, aside, err)
}

// readStateFile reads at most one byte past the limit, enough for
// DecodeState to reject an oversized file without reading all of it.
func readStateFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxStateFile+1))
}
