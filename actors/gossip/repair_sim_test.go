package gossip

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// A simulated LAN of engines on a virtual clock: a node's datagrams leave
// one after the other, 10 µs apart, and reach every other node 1 ms later
// (plus up to 20 µs of jitter, which reorders neighbours), unless the
// receiver loses it (each receiver independently, from a seeded random
// source). It does what
// MulticastServer does with the engine's actions: Request, Resend and
// Announce go to the group; Due runs when NextDue says, Tick every 500 ms.
type simLAN struct {
	t        *testing.T
	now      time.Time
	nodes    []*simNode
	inflight []simDatagram // ordered by arrival
	rng      *rand.Rand
	loss     float64
	sent     map[string]int // datagrams sent, by kind
}

type simNode struct {
	name, inst, src string
	e               *Engine
	chunks          int
	seq             uint64
	free            time.Time       // when its link is free for the next datagram
	got             map[string]bool // nodes whose generation 1 was delivered whole
}

type simDatagram struct {
	at   time.Time
	from *simNode
	to   int
	env  wire.Envelope
}

const simAnnounceEvery = 30 * time.Second // announce.interval's default

func newSimLAN(t *testing.T, nodes, chunks int, loss float64, seed uint64) *simLAN {
	l := &simLAN{t: t, now: t0, rng: rand.New(rand.NewPCG(seed, 1)), loss: loss, sent: map[string]int{}}
	for i := range nodes {
		n := &simNode{name: fmt.Sprintf("n%02d", i), inst: fmt.Sprintf("%016x", i+1), src: fmt.Sprintf("10.0.0.%d:4000", i+1),
			chunks: chunks, got: map[string]bool{}}
		n.e = New(Config{Node: n.name, Instance: n.inst, Rand: rand.New(rand.NewPCG(seed, uint64(i)+2)).Float64})
		l.nodes = append(l.nodes, n)
	}
	return l
}

// send multicasts env from n, filling in the sender's fields.
func (l *simLAN) send(n *simNode, env wire.Envelope) {
	n.seq++
	env.V, env.Node, env.Instance, env.Seq = 2, n.name, n.inst, n.seq
	l.sent[env.Kind]++
	if n.free.Before(l.now) {
		n.free = l.now
	}
	n.free = n.free.Add(10 * time.Microsecond)
	for i, m := range l.nodes {
		if m == n || l.rng.Float64() < l.loss {
			continue
		}
		d := simDatagram{at: n.free.Add(time.Millisecond + time.Duration(l.rng.IntN(20))*time.Microsecond), from: n, to: i, env: env}
		at, _ := slices.BinarySearchFunc(l.inflight, d.at, func(x simDatagram, t time.Time) int { return x.at.Compare(t) })
		for at < len(l.inflight) && l.inflight[at].at.Equal(d.at) {
			at++ // same arrival time: in sending order
		}
		l.inflight = slices.Insert(l.inflight, at, d)
	}
}

func (l *simLAN) chunk(n *simNode, i int) wire.Envelope {
	return *chunk("", "", 0, 1, n.chunks, i, fmt.Sprintf("%s-%d", n.name, i))
}

func (l *simLAN) announce(n *simNode) {
	n.e.Announced(l.now)
	l.send(n, wire.Envelope{Kind: wire.KindAnnounce, Gen: 1, Chunks: n.chunks, Digest: "0123456789abcdef"})
}

// start is what a daemon does when its inventory is first ready.
func (l *simLAN) start(n *simNode) {
	n.e.SetLocal(1, n.chunks)
	for i := range n.chunks {
		l.send(n, l.chunk(n, i))
	}
	l.announce(n)
}

func (l *simLAN) perform(n *simNode, acts []Action) {
	for _, a := range acts {
		switch x := a.(type) {
		case Deliver:
			if x.Full {
				if len(x.Disks) != l.nodes[0].chunks {
					l.t.Fatalf("%s got %d disks of %s, want %d", n.name, len(x.Disks), x.Node, l.nodes[0].chunks)
				}
				n.got[x.Node] = true
			}
		case Request:
			l.send(n, wire.Envelope{Kind: wire.KindRequest, To: x.To, Gen: x.Gen, Missing: x.Missing})
		case Resend:
			for _, i := range x.Chunks {
				l.send(n, l.chunk(n, i))
			}
		case Announce:
			l.announce(n)
		}
	}
}

func (l *simLAN) converged() bool {
	for _, n := range l.nodes {
		if len(n.got) != len(l.nodes)-1 {
			return false
		}
	}
	return true
}

// startAll starts every node 1 ms after the previous one.
func (l *simLAN) startAll() {
	for _, n := range l.nodes {
		l.start(n)
		l.now = l.now.Add(time.Millisecond)
	}
}

// run runs until every node holds every inventory, or until limit; it
// returns the virtual time taken.
func (l *simLAN) run(limit time.Duration) (time.Duration, bool) {
	nextTick, nextAnnounce := t0.Add(500*time.Millisecond), t0.Add(simAnnounceEvery)
	for !l.converged() {
		// The next event: a datagram arriving, a request due, a tick.
		next := nextTick
		if len(l.inflight) > 0 && l.inflight[0].at.Before(next) {
			next = l.inflight[0].at
		}
		for _, n := range l.nodes {
			if d := n.e.NextDue(); !d.IsZero() && d.Before(next) {
				next = d
			}
		}
		if next.Sub(t0) > limit {
			return next.Sub(t0), false
		}
		if next.After(l.now) {
			l.now = next
		}
		switch {
		case len(l.inflight) > 0 && !l.inflight[0].at.After(l.now):
			d := l.inflight[0]
			l.inflight = l.inflight[1:]
			n := l.nodes[d.to]
			l.perform(n, n.e.Receive(l.now, d.from.src, &d.env))
		case !nextTick.After(l.now):
			for _, n := range l.nodes {
				l.perform(n, n.e.Tick(l.now))
			}
			nextTick = nextTick.Add(500 * time.Millisecond)
			if !nextAnnounce.After(l.now) {
				for _, n := range l.nodes {
					l.announce(n)
				}
				nextAnnounce = nextAnnounce.Add(simAnnounceEvery)
			}
		default:
			for _, n := range l.nodes {
				l.perform(n, n.e.Due(l.now))
			}
		}
	}
	return l.now.Sub(t0), true
}

func (l *simLAN) repairStats() RepairStats {
	var s RepairStats
	for _, n := range l.nodes {
		r := n.e.Stats().Repair
		s.Scheduled += r.Scheduled
		s.Sent += r.Sent
		s.Suppressed += r.Suppressed
		s.Postponed += r.Postponed
		s.Answered += r.Answered
		s.Resent += r.Resent
		s.Duplicate += r.Duplicate
		s.Stale += r.Stale
	}
	return s
}

// Five nodes of 125 chunks each (1,000 disks), started together, with
// every receiver losing a share of what it receives: all converge, by
// repair and well before the first periodic announce would have helped.
// Without loss nothing is requested at all.
func TestRepair_LossyExchangeConverges(t *testing.T) {
	for _, tc := range []struct {
		loss  float64
		seeds []uint64
	}{
		{0, []uint64{1}},
		{0.1, []uint64{1, 2, 3}},
		{0.3, []uint64{1, 2, 3}},
	} {
		for _, seed := range tc.seeds {
			t.Run(fmt.Sprintf("loss %.0f%% seed %d", tc.loss*100, seed), func(t *testing.T) {
				l := newSimLAN(t, 5, 125, tc.loss, seed)
				l.startAll()
				took, ok := l.run(simAnnounceEvery)
				rs := l.repairStats()
				t.Logf("converged=%v after %v; sent %v; repair %+v", ok, took, l.sent, rs)
				if !ok {
					t.Fatalf("not converged within %v (before the first periodic announce)", simAnnounceEvery)
				}
				if tc.loss == 0 && (l.sent[wire.KindRequest] != 0 || l.sent[wire.KindChunk] != 5*125) {
					t.Errorf("lossless: %v, want no request and each chunk sent once", l.sent)
				}
				// Requests are multicast and answered once per window: the
				// chunks sent again stay within a small multiple of those lost.
				lost := tc.loss * 4 * 5 * 125
				if extra := float64(l.sent[wire.KindChunk] - 5*125); extra > 3*lost+1 {
					t.Errorf("%v chunks resent for about %v lost", extra, lost)
				}
			})
		}
	}
}

// Many receivers missing the same chunks: SRM's delays make one of them
// ask and the others hold back, so far fewer requests than receivers.
func TestRepair_ManyReceiversFewRequests(t *testing.T) {
	l := newSimLAN(t, 20, 1, 0, 7)
	// The holder's only chunk and announce reach nobody: every receiver
	// lacks it and learns of it from the next announce.
	holder := l.nodes[0]
	l.loss = 1
	l.start(holder)
	l.loss = 0
	for _, n := range l.nodes[1:] {
		l.start(n)
	}
	l.announce(holder)
	took, ok := l.run(time.Minute)
	rs := l.repairStats()
	t.Logf("converged=%v after %v; sent %v; repair %+v", ok, took, l.sent, rs)
	if !ok {
		t.Fatal("not converged")
	}
	if n := l.sent[wire.KindRequest]; n > 4 {
		t.Errorf("%d requests for one generation 19 receivers lacked, want at most 4", n)
	}
	if rs.Suppressed == 0 {
		t.Errorf("no request suppressed: %+v", rs)
	}
}
