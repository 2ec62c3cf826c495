// Package loadgen simulates many diskd-actors peers from one process, for
// the scale and ingest benchmarks of issue 5.
//
// Each simulated peer has a node name, a random 16-hex-digit instance id,
// its own sequence counter and an inventory generation. Its inventory is
// split with wire.SplitInventory and its datagrams are built by
// wire.EncodeDatagram (signed when Config.Key is set), exactly as a
// daemon sends them: the chunks of a generation, then the announce summary.
//
// Two modes:
//
//	Steady  each peer sends its inventory once, then an announce every
//	        Config.AnnounceEvery, and answers the requests daemons send
//	        for its chunks; what a LAN of idle hosts looks like.
//	Flood   each peer sends generation after generation (its chunks, then
//	        its announce) as fast as Config.Rate allows, optionally with a
//	        share of hostile datagrams (garbage, forged, oversize,
//	        malformed, invalid, replayed); what an ingest benchmark needs.
//	FloodAnnounces
//	        as Flood, but after its first generation each peer sends only
//	        announces of it (the periodic summaries of a steady LAN).
//
// Peers are spread over several sender sockets, each bound to 127.0.0.1, so
// that a daemon's rate limit per source address and port (2,000 datagrams/s)
// is not what limits a benchmark; sending is paced by a token bucket per
// worker. Sending uses sendmmsg through ipv4.PacketConn.WriteBatch.
//
// Network safety: every socket uses the loopback interface "lo" only. The
// group is always joined on lo, SetMulticastInterface(lo) failing is fatal,
// the multicast TTL is 0 (the host itself), and the senders are bound to
// 127.0.0.1. Every run is bounded by Config.MaxDatagrams and
// Config.MaxDuration.
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Mode says what the simulated peers send.
type Mode int

const (
	// Steady: the inventory once, then periodic announces; requests are
	// answered.
	Steady Mode = iota
	// Flood: new generations back to back, at Config.Rate.
	Flood
	// FloodAnnounces: each peer's first generation, then announces of it
	// back to back, at Config.Rate: the steady-state traffic of a large
	// LAN, compressed in time.
	FloodAnnounces
)

// Limits and defaults.
const (
	// Interface is the only interface the generator uses.
	Interface = "lo"
	// SourceRate is a daemon's rate limit per source address and port, in
	// datagrams per second; New refuses a paced Rate that would put more
	// than MaxSocketRate on one socket.
	SourceRate = 2000
	// MaxSocketRate is the highest paced rate per sender socket, with a
	// margin under SourceRate for timer jitter.
	MaxSocketRate = 1900
	// MaxSockets bounds the sender sockets.
	MaxSockets = 1024
	// MaxPeers bounds the simulated peers (a daemon keeps 10,000).
	MaxPeers = 10000
	// DefaultMaxDatagrams bounds a run when Config.MaxDatagrams is 0.
	DefaultMaxDatagrams = 20_000_000
	// DefaultMaxDuration bounds a run when Config.MaxDuration is 0.
	DefaultMaxDuration = 10 * time.Minute
	// DefaultSteadyRate paces Steady mode when Config.Rate is 0 (less with
	// a single peer, which sends from one socket).
	DefaultSteadyRate = 2000
	// Agent is the agent string the simulated peers send.
	Agent = "diskd-loadgen/1"
	// resendEvery throttles the resending of one chunk on request, as a
	// daemon does.
	resendEvery = 200 * time.Millisecond
	// maxBatch is the most datagrams handed to one sendmmsg.
	maxBatch = 64
)

// Stats counts what the generator did.
type Stats struct {
	Sent       uint64 // datagrams sent, hostile ones included
	Hostile    uint64 // hostile datagrams sent
	SendErrors uint64 // failed sends
	Requests   uint64 // requests for our peers received
	Resent     uint64 // chunks and announces sent in answer to requests
	ReqDropped uint64 // requests not handled because a worker was busy
	// QueueDropped counts Steady datagrams not queued because a socket's
	// queue was full (the rate is too low for the announces and requests).
	QueueDropped uint64
	// HostileByKind counts the hostile datagrams sent, by HostileKinds.
	HostileByKind map[string]uint64
}

// Gen is a running (or ready) load generator. Its methods are safe for
// concurrent use.
type Gen struct {
	cfg     Config
	group   *net.UDPAddr
	peers   []*peer
	byNode  map[string]int
	rate    atomic.Uint64 // math.Float64bits of the total rate
	workers []*worker
	// hostileDgs are the fixed hostile datagrams, indexed as HostileKinds.
	hostileDgs [][]byte

	sent, hostile, sendErrors    atomic.Uint64
	requests, resent, reqDropped atomic.Uint64
	queueDropped                 atomic.Uint64
	hostileKind                  [len(HostileKinds)]atomic.Uint64 // indexed as HostileKinds

	mu      sync.Mutex
	started bool
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	closers []func() error
	done    chan struct{}
}

// New checks cfg, fills in its defaults and encodes every peer's
// datagram templates. Nothing is opened before Start.
func New(cfg Config) (*Gen, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	g := &Gen{cfg: cfg, group: &net.UDPAddr{IP: net.ParseIP(cfg.Group).To4(), Port: cfg.Port},
		byNode: make(map[string]int, cfg.Peers), done: make(chan struct{})}
	g.rate.Store(math.Float64bits(cfg.Rate))
	if cfg.Hostile > 0 {
		var err error
		if g.hostileDgs, err = hostileDatagrams(cfg.Key); err != nil {
			return nil, err
		}
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	rng := rand.New(rand.NewPCG(seed, 0x6c6f616467656e))
	for i := range cfg.Peers {
		p, err := newPeer(i, g.Node(i), fmt.Sprintf("%016x", rng.Uint64()), g.inventory(i), cfg.Key)
		if err != nil {
			return nil, err
		}
		g.peers = append(g.peers, p)
		g.byNode[p.node] = i
	}
	return g, nil
}

// Config returns the configuration with its defaults filled in.
func (g *Gen) Config() Config { return g.cfg }

// Node returns the node name of peer i.
func (g *Gen) Node(i int) string { return fmt.Sprintf("%s-%04d", g.cfg.NodePrefix, i) }

// Label returns the label of disk d of peer i, unique across peers and
// generators with other prefixes.
func (g *Gen) Label(i, d int) string { return fmt.Sprintf("%s-d%04d", g.Node(i), d) }

// Chunks returns the number of chunks of each peer's inventory (all peers
// have inventories of one shape, so it is the same for every peer).
func (g *Gen) Chunks() int { return len(g.peers[0].chunks) }

// SetRate changes the total paced rate (datagrams per second) of a running
// generator; 0 means unpaced in the Flood modes and the default in Steady
// mode. It fails when the rate would put more than MaxSocketRate on one
// socket.
func (g *Gen) SetRate(r float64) error {
	if r < 0 || math.IsNaN(r) || math.IsInf(r, 0) || r/float64(g.cfg.Sockets) > MaxSocketRate {
		return fmt.Errorf("loadgen: rate %v/s over %d sockets: want 0 to %d", r, g.cfg.Sockets, g.cfg.Sockets*MaxSocketRate)
	}
	if r == 0 && g.cfg.Mode == Steady {
		r = min(DefaultSteadyRate, float64(MaxSocketRate*g.cfg.Sockets))
	}
	g.rate.Store(math.Float64bits(r))
	return nil
}

// Stats returns the counters so far.
func (g *Gen) Stats() Stats {
	st := Stats{Sent: g.sent.Load(), Hostile: g.hostile.Load(), SendErrors: g.sendErrors.Load(),
		Requests: g.requests.Load(), Resent: g.resent.Load(), ReqDropped: g.reqDropped.Load(),
		QueueDropped: g.queueDropped.Load(), HostileByKind: map[string]uint64{}}
	for i, k := range HostileKinds {
		st.HostileByKind[k] = g.hostileKind[i].Load()
	}
	return st
}

// Start opens the sockets on lo and starts sending; it returns at once.
// The run ends at Stop, when ctx ends, after MaxDuration, or after
// MaxDatagrams datagrams. A generator starts once.
func (g *Gen) Start(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.started {
		return errors.New("loadgen: Start after Start or Stop: a generator runs once")
	}
	lo, err := net.InterfaceByName(Interface)
	if err != nil {
		return fmt.Errorf("loadgen: interface %s: %w", Interface, err)
	}
	socks := make([]*sender, g.cfg.Sockets)
	for i := range socks {
		s, err := openSender(lo, g.group)
		if err != nil {
			g.closeAll()
			return err
		}
		socks[i] = s
		g.closers = append(g.closers, s.conn.Close)
	}
	var lis *listener
	if g.cfg.AnswerRequests {
		if lis, err = openListener(lo, g.group, g.cfg.Key); err != nil {
			g.closeAll()
			return err
		}
		g.closers = append(g.closers, lis.conn.Close)
	}
	g.workers = make([]*worker, g.cfg.Workers)
	for w := range g.workers {
		g.workers[w] = newWorker(g)
	}
	for i, s := range socks {
		g.workers[i%g.cfg.Workers].addSocket(s, i)
	}
	g.started = true
	ctx, g.cancel = context.WithTimeout(ctx, g.cfg.MaxDuration)
	for _, w := range g.workers {
		g.wg.Add(1)
		go w.run(ctx, &g.wg)
	}
	if lis != nil {
		g.wg.Add(1)
		go lis.run(g, &g.wg)
	}
	// Closing the sockets unblocks the listener and any sender waiting for
	// buffer space, whichever way the run ends.
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		<-ctx.Done()
		g.mu.Lock()
		g.closeAll()
		g.mu.Unlock()
	}()
	go func() { g.wg.Wait(); close(g.done) }()
	return nil
}

// Done is closed when a started run has ended and every goroutine and
// socket of it is gone.
func (g *Gen) Done() <-chan struct{} { return g.done }

// Stop ends the run and waits until every goroutine has returned and every
// socket is closed. It may be called more than once, and before Start.
func (g *Gen) Stop() {
	g.mu.Lock()
	started, cancel := g.started, g.cancel
	if !started {
		g.started = true // a later Start is refused
		close(g.done)
	}
	g.mu.Unlock()
	if started {
		cancel()
		<-g.done
	}
}

// closeAll closes every socket; g.mu is held.
func (g *Gen) closeAll() {
	for _, c := range g.closers {
		c()
	}
	g.closers = nil
}
