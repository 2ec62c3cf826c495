package actors

import (
	"github.com/diskd-actors/diskd-actors/messages"
)

// peerGenerations answers a restarted MulticastServer: the generation held
// of each peer, so that its engine asks only for what Info lacks. Once per
// restart of that actor; proportional to the peers (at most maxPeers), not
// to their disks.
func (a *Info) peerGenerations() *messages.PeerGenerations {
	out := &messages.PeerGenerations{Peers: make([]messages.PeerGeneration, 0, len(a.st.peers))}
	for node, p := range a.st.peers {
		if p.gen == 0 || p.info.Legacy {
			continue
		}
		out.Peers = append(out.Peers, messages.PeerGeneration{Node: node, Instance: p.info.Instance, Gen: p.gen})
	}
	return out
}
