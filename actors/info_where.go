package actors

import (
	"sort"
	"strings"
	"time"

	diskid "github.com/diskd-actors/diskd-actors/actors/identity"
	"github.com/diskd-actors/diskd-actors/messages"
)

// matches reports whether q names d: its UUID in any case, its label or
// its device exactly, or one of its identity's names (matchesIdentity).
func matches(d messages.Disk, q string) bool {
	return strings.EqualFold(d.UUID, q) || d.Label == q || d.Device == q || matchesIdentity(d.Identity, q)
}

// where gives the disks matching q that are present now, and for those
// present nowhere now, where and when they were last seen. UUIDs present on
// two nodes at once are flagged. It costs the records q names, looked up in
// the indexes: a disk of a down peer was last seen when that peer was last
// heard; a disk its node no longer holds, when the node was last heard
// holding it (its sighting).
func (a *Info) where(q string) *messages.WhereResult {
	res := &messages.WhereResult{Query: q, Matches: []messages.NodeDisk{}, LastSeen: []messages.Seen{}}
	now := a.now()
	var gone []messages.Seen
	a.st.present.names.lookup(q, func(r *presentRec) {
		k, d := r.key, r.disk
		if !matches(d, q) {
			return
		}
		if k.node == a.id.Node {
			res.Matches = append(res.Matches, messages.NodeDisk{Node: k.node, Local: true, Disk: d})
			return
		}
		p := a.st.peers[k.node]
		if p == nil {
			return
		}
		if a.stateOf(p, now) != messages.PeerDown {
			res.Matches = append(res.Matches, messages.NodeDisk{Node: k.node, Disk: d})
			return
		}
		gone = append(gone, seen(k.node, p.info.LastSeen, d, now))
	})
	a.st.sightings.lookup(q, func(s messages.Sighting) {
		if matches(s.Disk, q) {
			gone = append(gone, seen(s.Node, s.At, s.Disk, now))
		}
	})
	sort.Slice(res.Matches, func(i, j int) bool { return nodeDiskLess(res.Matches[i], res.Matches[j]) })
	present := map[string]bool{} // disk keys present anywhere now
	uuidNodes := map[string]map[string]bool{}
	for _, nd := range res.Matches {
		present[nd.Key()] = true
		if nd.UUID != "" {
			if uuidNodes[nd.UUID] == nil {
				uuidNodes[nd.UUID] = map[string]bool{}
			}
			uuidNodes[nd.UUID][nd.Node] = true
		}
	}
	for u, nodes := range uuidNodes {
		if len(nodes) > 1 {
			res.Duplicates = append(res.Duplicates, u)
		}
	}
	sort.Strings(res.Duplicates)
	res.DuplicateIDs = diskid.Duplicates(res.Matches)
	for _, s := range gone {
		if !present[s.Disk.Key()] {
			res.LastSeen = append(res.LastSeen, s)
		}
	}
	sort.Slice(res.LastSeen, func(i, j int) bool {
		if !res.LastSeen[i].At.Equal(res.LastSeen[j].At) {
			return res.LastSeen[i].At.After(res.LastSeen[j].At)
		}
		return res.LastSeen[i].Node < res.LastSeen[j].Node
	})
	return res
}

func seen(node string, at time.Time, d messages.Disk, now time.Time) messages.Seen {
	return messages.Seen{Node: node, At: at, Ago: now.Sub(at).Round(time.Second).String(), Disk: d}
}

// nodeDiskLess is inventory order: local disks first, then by node, and
// within a node as sortedDisks orders them.
func nodeDiskLess(x, y messages.NodeDisk) bool {
	if x.Local != y.Local {
		return x.Local
	}
	if x.Node != y.Node {
		return x.Node < y.Node
	}
	if x.Device != y.Device {
		return x.Device < y.Device
	}
	return x.Key() < y.Key()
}

// duplicateUUIDs lists UUIDs present on more than one node now; it costs
// the UUIDs that were ever seen on two nodes at once (candidates no longer
// on two nodes are dropped), not the inventory.
func (a *Info) duplicateUUIDs() []string {
	now := a.now()
	var out []string
	for u := range a.st.present.dups {
		nodes, live, name := map[string]bool{}, map[string]bool{}, ""
		a.st.present.holders(u, func(r *presentRec) bool {
			nodes[r.key.node] = true
			if p := a.st.peers[r.key.node]; r.key.node == a.id.Node || p != nil && a.stateOf(p, now) != messages.PeerDown {
				live[r.key.node], name = true, r.disk.UUID
			}
			return len(live) < 2
		})
		switch {
		case len(live) > 1:
			out = append(out, name)
		case len(nodes) < 2:
			delete(a.st.present.dups, u)
		}
	}
	sort.Strings(out)
	return out
}
