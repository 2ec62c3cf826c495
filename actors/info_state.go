package actors

import (
	"time"

	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
)

// Persistence of Info's knowledge: snapshot builds what StateStore writes;
// restore fills a fresh infoState from what the daemon read at start.

func (a *Info) snapshot() *messages.StateSnapshot {
	s := &messages.StateSnapshot{Version: messages.StateVersion, Node: a.id.Node, SavedAt: a.now()}
	for _, name := range a.peerNames() {
		p := a.st.peers[name]
		s.Peers = append(s.Peers, messages.SavedPeer{Node: name, Instance: p.info.Instance,
			Address: p.info.Addr, Version: p.info.Version, FirstSeen: wall(p.info.FirstSeen),
			LastSeen: wall(p.info.LastSeen), Disks: p.disks, Legacy: p.info.Legacy})
	}
	// A peer's disks were last seen when it was last heard (its LastSeen);
	// the records are of disks their node no longer holds, and this host's.
	s.Sightings = make([]messages.Sighting, 0, a.st.sightings.len()+len(a.st.local))
	a.st.sightings.all(func(sg messages.Sighting) {
		sg.At = wall(sg.At)
		s.Sightings = append(s.Sightings, sg)
	})
	if !a.st.localAt.IsZero() {
		for _, d := range a.st.local {
			s.Sightings = append(s.Sightings, messages.Sighting{Node: a.id.Node, At: wall(a.st.localAt), Disk: d})
		}
	}
	return s
}

// restoreState turns a saved snapshot into Info's starting knowledge. The
// peers start down: they are alive again when heard. A peer under our own
// node name (a previous instance of this daemon, or another daemon sharing
// the file) is not a peer. Records of disks a peer still holds are folded
// into the peer: its last-heard time says when they were last seen.
//
// The limits hold here too: peers past them are left out, as if refused.
func restoreState(snap *messages.StateSnapshot, self string, l config.Limits) *infoState {
	st := newInfoState()
	if snap == nil {
		return st
	}
	for _, p := range snap.Peers {
		if p.Node == self || st.peers[p.Node] != nil || len(st.peers) >= l.MaxPeers {
			continue
		}
		ps := &peerState{disks: sortedDisks(p.Disks), instances: map[string]instanceSeen{}}
		ps.bytes = estimateBytes(ps.disks)
		if st.peerDisks+len(ps.disks) > l.MaxDisks || st.peerBytes+ps.bytes > int64(l.MaxBytes) {
			continue
		}
		ps.info = messages.Peer{Node: p.Node, State: messages.PeerDown, Instance: p.Instance,
			Addr: p.Address, Version: p.Version, LastSeen: p.LastSeen, FirstSeen: p.FirstSeen,
			Disks: len(p.Disks), Legacy: p.Legacy}
		st.peers[p.Node] = ps
		st.present.set(p.Node, nil, ps.disks)
		st.peerDisks += len(ps.disks)
		st.peerBytes += ps.bytes
	}
	for _, sg := range snap.Sightings {
		if st.present.get(keyOf(sg.Disk, sg.Node)) == nil {
			st.evicted += uint64(st.sightings.put(sg))
		}
	}
	return st
}

// wall strips the monotonic reading, which means nothing after a restart.
func wall(t time.Time) time.Time { return t.Round(0) }
