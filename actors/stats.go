package actors

import (
	"sync"
	"sync/atomic"

	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/messages"
)

// stats counts network traffic and drops. It is written by MulticastServer's
// reader goroutine and by Info, read by Info for status, and outlives
// restarts of either, so counters never reset while the daemon runs.
type stats struct {
	datagramsIn, bytesIn   atomic.Uint64
	datagramsOut, bytesOut atomic.Uint64
	ownIn, sendErrors      atomic.Uint64
	discoverySkipped       atomic.Uint64 // see pacing.discovered
	subscribers            atomic.Int64  // debug sessions listening to Info's events
	infoQueue              atomic.Int64  // announcements sent to Info, not yet handled
	infoRoom               chan struct{} // Info's queue emptied below infoLow (multicast_inflow.go)
	infoFailed             atomic.Uint64 // messages whose Info handler panicked
	// The reader's source filter (gossip.SourceFilter): its table size,
	// and the datagrams it refused before decoding (also rate_limited).
	filterSources atomic.Int64
	filterRefused atomic.Uint64

	mu    sync.Mutex
	drops map[string]uint64

	ann    announceState
	gossip gossipState

	link     transport.Reporter // the multicast transport's health; nil with a fake
	sessions sessionCounters    // see session_stats.go
	kinds    kindCounters       // see stats_more.go
	runs     runCounters
	http     *httpStats                                     // nil without http.listen
	cluster  atomic.Pointer[func() *messages.ClusterStatus] // set by ClusterServer; nil without
}

func newStats() *stats { return &stats{drops: map[string]uint64{}, infoRoom: make(chan struct{}, 1)} }

func (s *stats) drop(reason string) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drops[reason]++
	return s.drops[reason]
}

func (s *stats) net() messages.NetStats {
	return messages.NetStats{
		DatagramsIn: s.datagramsIn.Load(), BytesIn: s.bytesIn.Load(),
		DatagramsOut: s.datagramsOut.Load(), BytesOut: s.bytesOut.Load(),
		OwnIn: s.ownIn.Load(), SendErrors: s.sendErrors.Load(),
		Link: linkStatus(s.link),
	}
}

func (s *stats) dropsSnapshot() map[string]uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]uint64, len(s.drops))
	for k, v := range s.drops {
		out[k] = v
	}
	return out
}

// announceState is what MulticastServer last did with the local inventory.
type announceState struct {
	mu sync.Mutex
	st messages.AnnounceStatus
}

func (s *stats) setAnnounce(f func(*messages.AnnounceStatus)) {
	s.ann.mu.Lock()
	defer s.ann.mu.Unlock()
	f(&s.ann.st)
}

func (s *stats) announceStatus() messages.AnnounceStatus {
	s.ann.mu.Lock()
	defer s.ann.mu.Unlock()
	return s.ann.st
}

// gossipState is the protocol engine's status, published by
// MulticastServer.
type gossipState struct {
	mu sync.Mutex
	st messages.GossipStatus
	// What engines before the current one evicted and expired, so that
	// the counters never go back across restarts of MulticastServer.
	evicted, expired uint64
	repair           messages.RepairStatus
}

// setGossip publishes the current engine's status; its counters are
// added to those of the engines before it.
func (s *stats) setGossip(g messages.GossipStatus) {
	s.gossip.mu.Lock()
	defer s.gossip.mu.Unlock()
	g.Evicted += s.gossip.evicted
	g.AssembliesExpired += s.gossip.expired
	g.Repair = g.Repair.Add(s.gossip.repair)
	g.Repair.DiscoverySkipped = s.discoverySkipped.Load()
	g.Repair.SentByKind = s.kinds.sentByKind()
	s.gossip.st = g
}

// endGossip keeps the counters of an engine that is being replaced (call
// after its last setGossip).
func (s *stats) endGossip() {
	s.gossip.mu.Lock()
	defer s.gossip.mu.Unlock()
	s.gossip.evicted, s.gossip.expired = s.gossip.st.Evicted, s.gossip.st.AssembliesExpired
	s.gossip.repair = s.gossip.st.Repair
	s.gossip.repair.DiscoverySkipped = 0 // counted outside the engine
}

func (s *stats) gossipStatus() messages.GossipStatus {
	s.gossip.mu.Lock()
	defer s.gossip.mu.Unlock()
	return s.gossip.st
}
