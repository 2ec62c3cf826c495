package actors

import (
	"testing"

	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// A request for a's current generation is answered with the chunk asked
// for, once however often it is asked within 200 ms; a ping is answered
// with an announce. a's datagrams leave in the order it handles what it
// hears, so the announce comes right after the one resend.
func TestMulticastServer_AnswersRequestsOnceAndPings(t *testing.T) {
	h := &transport.Hub{}
	testDaemon(t, h, "a", diskA)
	b := newFakePeer(t, h, "b", "00000000000000bb")
	// The generation that holds a's disk: before its first blkid run ends,
	// a may announce an empty one.
	var gen uint64
	for gen == 0 {
		if e := b.next("a"); e.Kind == wire.KindAnnounce && e.Count == 1 {
			gen = e.Gen
		}
	}
	ask := &wire.Envelope{Kind: wire.KindRequest, To: "a", Gen: gen, Missing: []int{0}}
	b.send(ask)
	b.send(&wire.Envelope{Kind: wire.KindRequest, To: "a", Gen: gen, Missing: []int{0}})
	b.send(&wire.Envelope{Kind: wire.KindRequest, To: "a", Gen: gen})
	b.send(&wire.Envelope{Kind: wire.KindPing})
	if e := b.next("a"); e.Kind != wire.KindChunk || e.Index != 0 || e.Gen != gen {
		t.Fatalf("answer to the request: %s %d of generation %d, want chunk 0 of %d", e.Kind, e.Index, e.Gen, gen)
	}
	if e := b.next("a"); e.Kind != wire.KindAnnounce {
		t.Fatalf("after the one resend: a %s, want the announce answering the ping", e.Kind)
	}
}

// A goodbye marks the peer left at once; a datagram under our own node
// name from another instance is counted as a conflict.
func TestMulticastServer_GoodbyeAndNodeClash(t *testing.T) {
	h := &transport.Hub{}
	a, _ := testDaemon(t, h, "a", diskA)
	b := newFakePeer(t, h, "b", "00000000000000bb")
	b.send(oneDiskChunk(1, "u-b"))
	waitFor(t, "a knows b", func() bool { return len(inventory(t, a)) == 2 })
	b.send(&wire.Envelope{Kind: wire.KindGoodbye})
	waitFor(t, "b left", func() bool {
		for _, p := range query[*messages.Peers](t, a, a.deps.pids.info, &messages.GetPeers{}).Peers {
			if p.Node == "b" {
				return p.Left
			}
		}
		return false
	})
	clash := newFakePeer(t, h, "a", "00000000000000cc")
	clash.send(announceOf(1))
	waitFor(t, "node_conflict counted", func() bool { return a.deps.stats.dropsSnapshot()[wire.DropNodeClash] == 1 })
}

// The engine's counters in status add up across restarts of
// MulticastServer.
func TestMulticastServer_GossipCountersSurviveRestarts(t *testing.T) {
	s := newStats()
	s.setGossip(messages.GossipStatus{Evicted: 5, AssembliesExpired: 2})
	s.endGossip()
	s.setGossip(messages.GossipStatus{Evicted: 1})
	if g := s.gossipStatus(); g.Evicted != 6 || g.AssembliesExpired != 2 {
		t.Errorf("after a restart: %+v, want 6 evicted and 2 expired", g)
	}

	h := &transport.Hub{}
	a, _ := testDaemon(t, h, "a", diskA)
	g := &a.deps.stats.gossip
	g.mu.Lock()
	g.evicted, g.expired = 5, 2 // as if engines before had evicted so much
	g.mu.Unlock()
	a.sys.Root.Send(a.deps.pids.multicast, &messages.Crash{})
	waitFor(t, "multicast restarted", func() bool { return a.deps.health.snapshot()["multicast"].Restarts == 1 })
	waitFor(t, "status published by the new engine", func() bool {
		g := query[*messages.Status](t, a, a.deps.pids.info, &messages.GetStatus{}).Gossip
		return g.Seeded && g.Evicted == 5 && g.AssembliesExpired == 2
	})
}
