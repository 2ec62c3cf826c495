package statefile

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
)

// flushAt is how much encoded text is buffered before it is written out.
const flushAt = 64 << 10

// Encode writes s as a state file to w, one record at a time: memory beyond
// the snapshot is one buffer of about 64 KiB. It stamps the current
// version and validates every record before writing it, so that it never
// produces a file Decode refuses (a write error, including ErrTooLarge from
// the writer Save uses, aborts it).
func Encode(w io.Writer, s *messages.StateSnapshot) error {
	if s == nil {
		return fmt.Errorf("encode state: nil snapshot")
	}
	if path, err := validSnapshotHead(s); err != nil {
		return fmt.Errorf("encode state: %s: %w", path, err)
	}
	switch {
	case len(s.Peers) > MaxPeers:
		return fmt.Errorf("encode state: %d peers, limit %d", len(s.Peers), MaxPeers)
	case len(s.Sightings) > MaxSightings:
		return fmt.Errorf("encode state: %d sightings, limit %d", len(s.Sightings), MaxSightings)
	}
	e := &encoder{w: w, buf: make([]byte, 0, flushAt+4096)}
	e.raw(`{"comment":`)
	e.str(comment)
	e.raw(`,"version":`)
	e.buf = strconv.AppendInt(e.buf, messages.StateVersion, 10)
	e.raw(`,"node":`)
	e.str(s.Node)
	e.raw(`,"saved_at":`)
	e.time(s.SavedAt)
	e.raw(`,"peers":[`)
	seen := make(map[string]struct{}, len(s.Peers))
	for i := range s.Peers {
		p := &s.Peers[i]
		if path, err := validPeer(p); err != nil {
			return fmt.Errorf("encode state: peers[%d].%s: %w", i, path, err)
		}
		if _, dup := seen[p.Node]; dup {
			return fmt.Errorf("encode state: peers[%d].node: duplicate peer", i)
		}
		seen[p.Node] = struct{}{}
		e.sep(i)
		e.peer(p)
		if err := e.flush(false); err != nil {
			return err
		}
	}
	e.raw("],\n\"sightings\":[")
	refs := peerDiskIndex(s.Peers)
	for i := range s.Sightings {
		g := &s.Sightings[i]
		if path, err := validSighting(g); err != nil {
			return fmt.Errorf("encode state: sightings[%d].%s: %w", i, path, err)
		}
		e.sep(i)
		e.raw(`{"node":`)
		e.str(g.Node)
		e.raw(`,"at":`)
		e.time(g.At)
		// Most sightings are of a disk a peer holds now: a reference
		// halves the file and the time to load it.
		if j, ok := refs[diskKey(&g.Disk)]; ok && s.Peers[j.peer].Node == g.Node && g.Disk.Equal(s.Peers[j.peer].Disks[j.disk]) {
			e.raw(`,"peer_disk":`)
			e.buf = strconv.AppendInt(e.buf, int64(j.disk), 10)
		} else {
			e.raw(`,"disk":`)
			e.disk(&g.Disk)
		}
		e.raw("}")
		if err := e.flush(false); err != nil {
			return err
		}
	}
	e.raw("]}\n")
	return e.flush(true)
}

type diskPos struct{ peer, disk int32 }

// diskKey is the uuid, or the label of a disk without one (as Info keys
// sightings); the index keeps the first peer's disk of a key, which the
// encoder checks against the sighting's node and disk.
func diskKey(d *messages.Disk) string {
	if d.UUID != "" {
		return d.UUID
	}
	return d.Label
}

func peerDiskIndex(peers []messages.SavedPeer) map[string]diskPos {
	n := 0
	for i := range peers {
		n += len(peers[i].Disks)
	}
	m := make(map[string]diskPos, n)
	for i := range peers {
		for j := range peers[i].Disks {
			k := diskKey(&peers[i].Disks[j])
			if _, dup := m[k]; !dup {
				m[k] = diskPos{int32(i), int32(j)}
			}
		}
	}
	return m
}

type encoder struct {
	w   io.Writer
	buf []byte
}

func (e *encoder) flush(all bool) error {
	if !all && len(e.buf) < flushAt {
		return nil
	}
	_, err := e.w.Write(e.buf)
	e.buf = e.buf[:0]
	return err
}

func (e *encoder) raw(s string) { e.buf = append(e.buf, s...) }

// sep starts record i of a list on its own line.
func (e *encoder) sep(i int) {
	if i > 0 {
		e.buf = append(e.buf, ',')
	}
	e.buf = append(e.buf, '\n')
}

func (e *encoder) peer(p *messages.SavedPeer) {
	e.raw(`{"node":`)
	e.str(p.Node)
	e.raw(`,"instance":`)
	e.str(p.Instance)
	e.raw(`,"address":`)
	e.str(p.Address)
	if p.Version != "" {
		e.raw(`,"version":`)
		e.str(p.Version)
	}
	e.raw(`,"first_seen":`)
	e.time(p.FirstSeen)
	e.raw(`,"last_seen":`)
	e.time(p.LastSeen)
	if p.Legacy {
		e.raw(`,"legacy":true`)
	}
	e.raw(`,"disks":[`)
	for j := range p.Disks {
		if j > 0 {
			e.buf = append(e.buf, ',')
		}
		e.disk(&p.Disks[j])
	}
	e.raw("]}")
}

func (e *encoder) disk(d *messages.Disk) {
	e.buf = append(e.buf, '{')
	first := true
	for _, f := range [...]struct{ k, v string }{
		{`"uuid":`, d.UUID}, {`"label":`, d.Label}, {`"device":`, d.Device}, {`"type":`, d.Type},
	} {
		if f.v == "" {
			continue
		}
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		e.raw(f.k)
		e.str(f.v)
	}
	if len(d.Mounts) > 0 {
		e.raw(`,"mounts":[`)
		for j, m := range d.Mounts {
			if j > 0 {
				e.buf = append(e.buf, ',')
			}
			e.raw(`{"path":`)
			e.str(m.Path)
			e.raw(`,"fstype":`)
			e.str(m.FSType)
			if m.ReadOnly {
				e.raw(`,"ro":true`)
			}
			e.buf = append(e.buf, '}')
		}
		e.buf = append(e.buf, ']')
	}
	e.identity(&d.Identity)
	e.buf = append(e.buf, '}')
}

// time writes UTC RFC 3339 with nanoseconds, which time.Parse reads back
// to the same instant.
func (e *encoder) time(t time.Time) {
	e.buf = append(e.buf, '"')
	e.buf = t.UTC().AppendFormat(e.buf, time.RFC3339Nano)
	e.buf = append(e.buf, '"')
}

const hexDigits = "0123456789abcdef"

// plain marks the bytes str copies as they are.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str writes a JSON string. Every string has been validated as UTF-8, so
// bytes from 0x80 up are copied as they are.
func (e *encoder) str(s string) {
	e.buf = append(e.buf, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if plain[c] {
			continue
		}
		e.buf = append(e.buf, s[start:i]...)
		switch c {
		case '"', '\\':
			e.buf = append(e.buf, '\\', c)
		case '\n':
			e.buf = append(e.buf, '\\', 'n')
		case '\t':
			e.buf = append(e.buf, '\\', 't')
		case '\r':
			e.buf = append(e.buf, '\\', 'r')
		default:
			e.buf = append(e.buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	e.buf = append(e.buf, s[start:]...)
	e.buf = append(e.buf, '"')
}
