package actors

import (
	"sort"
	"time"

	"github.com/diskd-actors/diskd-actors/actors/web"
	"github.com/diskd-actors/diskd-actors/messages"
)

// Info's answers to the web page: a substring search over every disk it
// knows, and the hosts with their disks. Both are bounded by the caps in
// messages, whatever the request asks.

// search scans the disks present now, then those last seen: a linear scan,
// since a search box asks for parts of names that no index holds.
func (a *Info) search(m *messages.Search) *messages.SearchResult {
	limit := min(max(m.Limit, 1), messages.MaxSearchResults)
	res := &messages.SearchResult{Query: m.Query, Matches: []messages.NodeDisk{}, LastSeen: []messages.Seen{}}
	q := web.Fold(m.Query)
	if q == "" || len(m.Query) > web.MaxQuery {
		return res
	}
	a.eachPresent(func(nd messages.NodeDisk) {
		if web.Matches(nd.Disk, q) {
			if len(res.Matches) < limit {
				res.Matches = append(res.Matches, nd)
			} else {
				res.Truncated = true
			}
		}
	})
	now := a.now()
	a.eachGone(func(node string, at time.Time, d messages.Disk) bool {
		if !web.Matches(d, q) {
			return true
		}
		if len(res.LastSeen) >= limit {
			res.Truncated = true
			return false
		}
		res.LastSeen = append(res.LastSeen, seen(node, at, d, now))
		return true
	})
	sort.Slice(res.LastSeen, func(i, j int) bool { return res.LastSeen[i].At.After(res.LastSeen[j].At) })
	return res
}

// eachGone calls f for every disk present nowhere now (a down peer's, or
// one its node no longer holds), with where and when it was last seen,
// until f returns false.
func (a *Info) eachGone(f func(node string, at time.Time, d messages.Disk) bool) {
	now := a.now()
	for _, name := range a.peerNames() {
		p := a.st.peers[name]
		if a.stateOf(p, now) != messages.PeerDown {
			continue
		}
		for _, d := range p.disks {
			if !f(name, p.info.LastSeen, d) {
				return
			}
		}
	}
	// The records' heap is one slice: quicker to walk than the records by
	// node, and it holds the removed ones only marked.
	for _, r := range a.st.sightings.order {
		if !r.removed() && !f(r.Node, r.At, r.Disk) {
			return
		}
	}
}

// hosts lists this host and every peer, at most m.MaxDisks disks in all.
func (a *Info) hosts(m *messages.GetHosts) *messages.Hosts {
	budget := min(max(m.MaxDisks, 0), messages.MaxHostsDisks)
	out := &messages.Hosts{Node: a.id.Node, Gone: []messages.Seen{}}
	take := func(ds []messages.Disk) []messages.Disk {
		n := min(len(ds), budget)
		budget -= n
		out.DisksLeftOut += len(ds) - n
		return append([]messages.Disk{}, ds[:n]...)
	}
	out.Hosts = append(out.Hosts, messages.Host{Node: a.id.Node, Local: true, State: messages.PeerAlive, Disks: take(a.st.local)})
	now := a.now()
	for _, name := range a.peerNames() {
		p := a.st.peers[name]
		h := messages.Host{Node: name, State: a.stateOf(p, now), Left: p.info.Left, Conflict: p.info.Conflict,
			Address: p.info.Addr, LastSeen: p.info.LastSeen, Disks: []messages.Disk{}}
		if h.State != messages.PeerDown {
			h.Disks = take(p.disks)
		}
		out.Hosts = append(out.Hosts, h)
	}
	a.eachGone(func(node string, at time.Time, d messages.Disk) bool {
		if budget == 0 {
			out.DisksLeftOut++
			return true
		}
		budget--
		out.Gone = append(out.Gone, seen(node, at, d, now))
		return true
	})
	sort.Slice(out.Gone, func(i, j int) bool { return out.Gone[i].At.After(out.Gone[j].At) })
	return out
}
