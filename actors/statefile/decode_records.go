package statefile

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// within prefixes the field path of a load error with its record,
// name[i] (or name when i < 0), built only when there is an error.
func within(err error, name string, i int) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		prefix := name
		if i >= 0 {
			prefix = fmt.Sprintf("%s[%d]", name, i)
		}
		if e.Path == "" {
			e.Path = prefix
		} else {
			e.Path = prefix + "." + e.Path
		}
	}
	return err
}

func (p *parser) peers(s *messages.StateSnapshot) error {
	seen := map[string]struct{}{}
	return p.array("peers", func(i int) error {
		at := p.i
		if i >= MaxPeers {
			return p.fail(at, "peers", fmt.Sprintf("more than %d peers", MaxPeers))
		}
		s.Peers = append(s.Peers, messages.SavedPeer{})
		sp := &s.Peers[len(s.Peers)-1]
		if err := p.peer(sp); err != nil {
			return within(err, "peers", i)
		}
		if path, err := validPeer(sp); err != nil {
			return within(p.fail(at, path, err.Error()), "peers", i)
		}
		if _, dup := seen[sp.Node]; dup {
			return within(p.fail(at, "node", "duplicate peer"), "peers", i)
		}
		seen[sp.Node] = struct{}{}
		return nil
	})
}

func (p *parser) peer(sp *messages.SavedPeer) error {
	lastSeen := false
	err := p.object("", func(key []byte, at int) error {
		switch string(key) {
		case "node":
			return p.strTo("node", &sp.Node)
		case "instance":
			return p.strTo("instance", &sp.Instance)
		case "address":
			return p.strTo("address", &sp.Address)
		case "version":
			return p.strTo("version", &sp.Version)
		case "first_seen":
			return p.timeTo("first_seen", &sp.FirstSeen)
		case "last_seen":
			lastSeen = true
			return p.timeTo("last_seen", &sp.LastSeen)
		case "legacy":
			return p.boolTo("legacy", &sp.Legacy)
		case "disks":
			// Parsed into a reused scratch list, then copied at its size.
			p.scratch = p.scratch[:0]
			err := p.array("disks", func(j int) error {
				if j >= MaxPeerDisks {
					return p.fail(p.i, "disks", fmt.Sprintf("more than %d disks", MaxPeerDisks))
				}
				p.scratch = append(p.scratch, messages.Disk{})
				err := p.disk(&p.scratch[len(p.scratch)-1])
				return within(err, "disks", j)
			})
			if len(p.scratch) > 0 {
				sp.Disks = append(make([]messages.Disk, 0, len(p.scratch)), p.scratch...)
			}
			return err
		}
		return p.fail(at, "", "unknown field")
	})
	if err == nil && !lastSeen {
		return p.fail(p.i, "last_seen", "missing")
	}
	return err
}

func (p *parser) disk(d *messages.Disk) error {
	return p.object("", func(key []byte, at int) error {
		switch string(key) {
		case "uuid":
			return p.strTo("uuid", &d.UUID)
		case "label":
			return p.strTo("label", &d.Label)
		case "device":
			return p.strTo("device", &d.Device)
		case "type":
			return p.strTo("type", &d.Type)
		case "mounts":
			return p.array("mounts", func(j int) error {
				if j >= wire.MaxMountsPerDisk {
					return p.fail(p.i, "mounts", "too many mounts")
				}
				d.Mounts = append(d.Mounts, messages.Mount{})
				err := p.mount(&d.Mounts[len(d.Mounts)-1])
				return within(err, "mounts", j)
			})
		}
		if ok, err := p.identityField(string(key), &d.Identity); ok {
			return err
		}
		return p.fail(at, "", "unknown field")
	})
}

func (p *parser) mount(m *messages.Mount) error {
	return p.object("", func(key []byte, at int) error {
		switch string(key) {
		case "path":
			return p.strTo("path", &m.Path)
		case "fstype":
			return p.strTo("fstype", &m.FSType)
		case "ro":
			return p.boolTo("ro", &m.ReadOnly)
		}
		return p.fail(at, "", "unknown field")
	})
}

// sightings parses the list; a sighting given as peer_disk (an index into
// its node's peer's disks) is resolved by resolveRefs once peers are known.
func (p *parser) sightings(s *messages.StateSnapshot) error {
	// Appending 100,000 sightings one by one allocates five times their
	// size; an estimate (bounded by the limit) allocates them once.
	if s.Sightings == nil {
		s.Sightings = make([]messages.Sighting, 0, min(bytes.Count(p.b[p.i:], []byte(`"at":`)), MaxSightings))
	}
	return p.array("sightings", func(i int) error {
		at := p.i
		if i >= MaxSightings {
			return p.fail(at, "sightings", fmt.Sprintf("more than %d sightings", MaxSightings))
		}
		s.Sightings = append(s.Sightings, messages.Sighting{})
		g := &s.Sightings[len(s.Sightings)-1]
		ref, hasDisk := -1, false
		err := p.object("", func(key []byte, at int) error {
			switch string(key) {
			case "node":
				return p.strTo("node", &g.Node)
			case "at":
				return p.timeTo("at", &g.At)
			case "disk":
				hasDisk = true
				return within(p.disk(&g.Disk), "disk", -1)
			case "peer_disk":
				v, err := p.uint("peer_disk")
				ref = v
				return err
			}
			return p.fail(at, "", "unknown field")
		})
		switch {
		case err != nil:
		case hasDisk == (ref >= 0):
			err = p.fail(at, "", "want one of disk and peer_disk")
		case ref >= 0:
			p.refs = append(p.refs, sightingRef{i: i, disk: ref, at: at})
		default:
			if path, verr := validSighting(g); verr != nil {
				err = p.fail(at, path, verr.Error())
			}
		}
		return within(err, "sightings", i)
	})
}

// sightingRef is a sighting that names a disk of its node's peer.
type sightingRef struct{ i, disk, at int }

func (p *parser) resolveRefs(s *messages.StateSnapshot) error {
	if len(p.refs) == 0 {
		return nil
	}
	peers := make(map[string]int, len(s.Peers))
	for i := range s.Peers {
		peers[s.Peers[i].Node] = i
	}
	for _, r := range p.refs {
		g := &s.Sightings[r.i]
		j, ok := peers[g.Node]
		if !ok || r.disk >= len(s.Peers[j].Disks) {
			return within(p.fail(r.at, "peer_disk", "no such disk of a peer"), "sightings", r.i)
		}
		g.Disk = s.Peers[j].Disks[r.disk]
		if path, err := validSighting(g); err != nil {
			return within(p.fail(r.at, path, err.Error()), "sightings", r.i)
		}
	}
	return nil
}
