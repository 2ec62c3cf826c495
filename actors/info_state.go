package actors

import (
	"time"

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
	for _, sg := range a.st.sightings {
		sg.At = wall(sg.At)
		s.Sightings = append(s.Sightings, sg)
	}
	return s
}

// restoreState turns a saved snapshot into Info's starting knowledge. The
// peers start down: they are alive again when heard.
func restoreState(snap *messages.StateSnapshot) *infoState {
	st := newInfoState()
	if snap == nil {
		return st
	}
	for _, p := range snap.Peers {
		ps := &peerState{disks: sortedDisks(p.Disks), instances: map[string]instanceSeen{}}
		ps.info = messages.Peer{Node: p.Node, State: messages.PeerDown, Instance: p.Instance,
			Addr: p.Address, Version: p.Version, LastSeen: p.LastSeen, FirstSeen: p.FirstSeen,
			Disks: len(p.Disks), Legacy: p.Legacy}
		st.peers[p.Node] = ps
	}
	for _, sg := range snap.Sightings {
		st.sightings[sightingKey{sg.Disk.Key(), sg.Node}] = sg
	}
	return st
}

// wall strips the monotonic reading, which means nothing after a restart.
func wall(t time.Time) time.Time { return t.Round(0) }
