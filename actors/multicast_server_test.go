package actors

import (
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// fakePeer speaks the protocol on a Hub by hand, to script what a daemon
// hears and to see what it sends.
type fakePeer struct {
	t    *testing.T
	node string
	inst string
	seq  uint64
	tr   transport.Transport
}

func newFakePeer(t *testing.T, h *transport.Hub, node, inst string) *fakePeer {
	tr, err := h.Transport(node)()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return &fakePeer{t: t, node: node, inst: inst, tr: tr}
}

func (p *fakePeer) send(e *wire.Envelope) {
	p.seq++
	e.Node, e.Instance, e.Seq = p.node, p.inst, p.seq
	b, err := wire.EncodeDatagram(e, nil)
	if err != nil {
		p.t.Fatal(err)
	}
	if err := p.tr.Send(b); err != nil {
		p.t.Fatal(err)
	}
}

// next returns the next datagram from node, skipping the others.
func (p *fakePeer) next(from string) *wire.Envelope {
	p.t.Helper()
	type got struct {
		env *wire.Envelope
		err error
	}
	ch := make(chan got, 1)
	go func() {
		buf := make([]byte, 64*1024)
		for {
			n, _, _, err := p.tr.Receive(buf)
			if err != nil {
				ch <- got{err: err}
				return
			}
			if env, err := wire.DecodeDatagram(buf[:n], nil); err == nil && env.Node == from {
				ch <- got{env: env}
				return
			}
		}
	}()
	select {
	case g := <-ch:
		if g.err != nil {
			p.t.Fatal(g.err)
		}
		return g.env
	case <-time.After(5 * time.Second):
		p.tr.Close() // ends the goroutine
		p.t.Fatalf("%s: nothing from %s within 5s", p.node, from)
		return nil
	}
}

func oneDiskChunk(gen uint64, uuid string) *wire.Envelope {
	return &wire.Envelope{Kind: wire.KindChunk, Gen: gen, Chunks: 1, Index: 0,
		Disks: []messages.Disk{{UUID: uuid, Label: uuid, Device: "/dev/x"}}}
}

func announceOf(gen uint64) *wire.Envelope {
	return &wire.Envelope{Kind: wire.KindAnnounce, Gen: gen, Chunks: 1, Digest: "0123456789abcdef", Count: 1}
}

// After a restart of MulticastServer, Info still has the peers'
// inventories, and the restarted engine, seeded from Info, does not ask
// again for a generation Info holds; it does ask for a new one.
func TestMulticastServer_RestartDoesNotReaskKnownInventories(t *testing.T) {
	h := &transport.Hub{}
	a, _ := testDaemon(t, h, "a", diskA)
	b := newFakePeer(t, h, "b", "00000000000000bb")
	first := b.next("a") // a's first generation goes out once its blkid ran
	b.send(oneDiskChunk(1, "u-b"))
	b.send(announceOf(1))
	waitFor(t, "a knows b's disk", func() bool { return len(inventory(t, a)) == 2 })

	a.sys.Root.Send(a.deps.pids.multicast, &messages.Crash{})
	waitFor(t, "multicast restarted", func() bool { return a.deps.health.snapshot()["multicast"].Restarts == 1 })
	// The restarted actor sends a new generation of a's inventory: its
	// transport is open and Info's generations have reached it.
	for e := b.next("a"); e.Gen <= first.Gen; e = b.next("a") {
	}
	if got := inventory(t, a); len(got) != 2 {
		t.Fatalf("after the restart: %d disks, want 2", len(got))
	}
	// b's generation 1 is known to Info: nothing to ask. c is new: asked
	// for. Datagrams are handled in order, so a request to b would come
	// first.
	c := newFakePeer(t, h, "c", "00000000000000cc")
	b.send(announceOf(1))
	c.send(announceOf(1))
	wantRequest(t, b, "c", 1)
	b.send(announceOf(2)) // a new generation of b: asked for
	wantRequest(t, b, "b", 2)
	waitFor(t, "engine status published", func() bool {
		st := query[*messages.Status](t, a, a.deps.pids.info, &messages.GetStatus{})
		return st.Gossip.Seeded && st.Gossip.MaxInFlightDisks > 0
	})
}

// wantRequest reads what a sends until a request, which must be to node
// for generation gen.
func wantRequest(t *testing.T, p *fakePeer, node string, gen uint64) {
	t.Helper()
	for {
		e := p.next("a")
		if e.Kind != wire.KindRequest {
			continue
		}
		if e.To != node || e.Gen != gen {
			t.Fatalf("request to %s for generation %d, want to %s for %d", e.To, e.Gen, node, gen)
		}
		return
	}
}

// testReader runs a reader whose actor never handles anything (its PID
// has no actor), so what it hands over stays queued.
func testReader(t *testing.T, setup ...func(*deps)) (*deps, *transport.Hub, *inflow, func()) {
	t.Helper()
	sys := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}), actor.WithDeadLetterThrottleInterval(10*time.Millisecond))
	d := &deps{cfg: config.Fast(), stats: newStats(), root: sys.Root, now: time.Now,
		log: slog.New(slog.DiscardHandler)}
	d.pids.info = sys.NewLocalPID("nobody/info")
	for _, f := range setup {
		f(d) // before the reader runs
	}
	h := &transport.Hub{}
	tr, _ := h.Transport("r")()
	queued := newInflow(d.stats)
	var wg sync.WaitGroup
	wg.Add(1)
	auth := &authPointer{}
	auth.Store(newAuthState(d.settings))
	go newReader(d, tr, sys.NewLocalPID("nobody"), newDropLog(d.log), queued, auth).run(&wg)
	return d, h, queued, func() { queued.close(); tr.Close(); wg.Wait(); sys.Shutdown() }
}

// The reader hands at most maxQueued datagrams to a busy actor, then stops
// reading (the rest wait in the transport, as in a socket's buffer) until
// the actor has handled half; nothing decoded is dropped as busy, and what
// does not decode is counted and never handed on.
func TestReader_HoldsBackWhileTheActorIsBusy(t *testing.T) {
	d, h, queued, stop := testReader(t)
	defer stop()
	for i := range maxQueued + 10 {
		h.Inject(encodeForTest("b", "00000000000000bb", uint64(i+1)))
	}
	h.Inject([]byte("{"))
	waitFor(t, "the reader waiting for room", func() bool { return queued.pauses.Load() == 1 })
	if n := queued.Load(); n != maxQueued {
		t.Errorf("%d datagrams queued for the actor, want the bound %d", n, maxQueued)
	}
	if n := d.stats.datagramsIn.Load(); n != maxQueued {
		t.Errorf("%d datagrams read while the actor was busy, want %d", n, maxQueued)
	}
	queued.done(maxQueued/2 - 1) // not yet half free: still waiting
	queued.done(1)
	waitFor(t, "the rest read once half the queue was free", func() bool {
		return d.stats.dropsSnapshot()[wire.DropMalformed] == 1
	})
	if n := queued.Load(); n != maxQueued/2+10 {
		t.Errorf("%d datagrams queued, want %d", n, maxQueued/2+10)
	}
	if n := d.stats.datagramsIn.Load(); n != maxQueued+11 {
		t.Errorf("%d datagrams counted in, want %d", n, maxQueued+11)
	}
	if n := d.stats.dropsSnapshot()[wire.DropBusy]; n != 0 {
		t.Errorf("%d datagrams dropped as busy, want none", n)
	}
}

// While Info has infoHigh announcements waiting, the reader reads nothing;
// once Info is down to infoLow it goes on.
func TestReader_HoldsBackWhileInfoIsBusy(t *testing.T) {
	// Busy before the reader first looks, else it would be waiting in
	// Receive already, past the check.
	d, h, queued, stop := testReader(t, func(d *deps) { d.stats.infoQueue.Store(infoHigh) })
	defer stop()
	h.Inject(encodeForTest("b", "00000000000000bb", 1))
	waitFor(t, "the reader waiting for Info", func() bool { return queued.pauses.Load() == 1 })
	if n := d.stats.datagramsIn.Load(); n != 0 {
		t.Fatalf("%d datagrams read while Info was busy, want none", n)
	}
	for range infoHigh - infoLow {
		d.stats.infoHandled()
	}
	waitFor(t, "the datagram read once Info had room", func() bool { return queued.Load() == 1 })
}

// A reader waiting for room ends when the actor releases the transport.
func TestReader_WaitingReaderStops(t *testing.T) {
	_, h, queued, stop := testReader(t)
	for i := range maxQueued {
		h.Inject(encodeForTest("b", "00000000000000bb", uint64(i+1)))
	}
	waitFor(t, "the reader waiting for room", func() bool { return queued.pauses.Load() == 1 })
	stop() // returns only once the reader's goroutine has ended
}

func TestReader_Oversize(t *testing.T) {
	d, h, queued, stop := testReader(t)
	defer stop()
	h.Inject(make([]byte, 64*1024+1)) // truncated by the buffer
	h.Inject(fmt.Appendf(nil, "diskd:%02000d", 0))
	waitFor(t, "oversize drops counted", func() bool { return d.stats.dropsSnapshot()[wire.DropOversize] == 2 })
	if queued.Load() != 0 {
		t.Errorf("an oversize datagram was handed on")
	}
}
