package actors

import (
	"sort"
	"strings"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
)

// sightingKey names one disk on one node: the same disk seen on two nodes
// (moved, or a duplicate UUID) has two records.
type sightingKey struct {
	disk, node string
}

// see records that node holds disks now.
func (a *Info) see(node string, disks []messages.Disk, at time.Time) {
	for _, d := range disks {
		a.st.sightings[sightingKey{d.Key(), node}] = messages.Sighting{Node: node, At: at, Disk: d}
	}
	if len(a.st.sightings) > maxSightings {
		a.evictSightings(len(a.st.sightings) - maxSightings)
	}
}

// forgetSightings drops records older than cutoff.
func (a *Info) forgetSightings(cutoff time.Time) {
	for k, s := range a.st.sightings {
		if s.At.Before(cutoff) {
			delete(a.st.sightings, k)
		}
	}
}

// evictSightings drops the n oldest records.
func (a *Info) evictSightings(n int) {
	all := make([]sightingKey, 0, len(a.st.sightings))
	for k := range a.st.sightings {
		all = append(all, k)
	}
	sort.Slice(all, func(i, j int) bool { return a.st.sightings[all[i]].At.Before(a.st.sightings[all[j]].At) })
	for _, k := range all[:n] {
		delete(a.st.sightings, k)
	}
}

// matches reports whether q names d: its UUID in any case, its label or
// its device exactly.
func matches(d messages.Disk, q string) bool {
	return strings.EqualFold(d.UUID, q) || d.Label == q || d.Device == q
}

// where gives the disks matching q that are present now, and for those
// present nowhere now, where and when they were last seen. UUIDs present on
// two nodes at once are flagged.
func (a *Info) where(q string) *messages.WhereResult {
	res := &messages.WhereResult{Query: q, Matches: []messages.NodeDisk{}, LastSeen: []messages.Seen{}}
	present := map[string]bool{} // disk keys present anywhere now
	uuidNodes := map[string]map[string]bool{}
	res.Matches = append(res.Matches, a.matching(q)...)
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
	now := a.now()
	for _, s := range a.st.sightings {
		if matches(s.Disk, q) && !present[s.Disk.Key()] {
			res.LastSeen = append(res.LastSeen, messages.Seen{Node: s.Node, At: s.At,
				Ago: now.Sub(s.At).Round(time.Second).String(), Disk: s.Disk})
		}
	}
	sort.Slice(res.LastSeen, func(i, j int) bool { return res.LastSeen[i].At.After(res.LastSeen[j].At) })
	return res
}

// matching lists the disks present now that match q, without copying the
// whole inventory: where must stay cheap with thousands of disks.
func (a *Info) matching(q string) []messages.NodeDisk {
	var out []messages.NodeDisk
	a.eachPresent(func(nd messages.NodeDisk) {
		if matches(nd.Disk, q) {
			out = append(out, nd)
		}
	})
	return out
}

// duplicateUUIDs lists UUIDs present on more than one node now.
func (a *Info) duplicateUUIDs() []string {
	nodes := map[string]map[string]bool{}
	for _, nd := range a.inventory() {
		if nd.UUID == "" {
			continue
		}
		if nodes[nd.UUID] == nil {
			nodes[nd.UUID] = map[string]bool{}
		}
		nodes[nd.UUID][nd.Node] = true
	}
	var out []string
	for u, n := range nodes {
		if len(n) > 1 {
			out = append(out, u)
		}
	}
	sort.Strings(out)
	return out
}
