package actors

import (
	"sync"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// fakeClock is a clock tests move by hand, with tickers on it: advance
// fires every ticker whose time has come (once, coalesced), after moving
// the time, so the actor that gets the tick sees the new time.
type fakeClock struct {
	mu      sync.Mutex
	t       time.Time
	tickers map[*fakeTicker]bool
}

type fakeTicker struct {
	next, every time.Duration // since the clock's start, as offsets
	ch          chan time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	for tk := range c.tickers {
		tk.next -= d
		if tk.next > 0 {
			continue
		}
		for tk.next <= 0 {
			tk.next += tk.every
		}
		select {
		case tk.ch <- c.t:
		default:
		}
	}
}

// ticks is the clock's TickSource.
func (c *fakeClock) ticks(first, every time.Duration) (<-chan time.Time, func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tickers == nil {
		c.tickers = map[*fakeTicker]bool{}
	}
	tk := &fakeTicker{next: first, every: every, ch: make(chan time.Time, 1)}
	c.tickers[tk] = true
	return tk.ch, func() { c.mu.Lock(); delete(c.tickers, tk); c.mu.Unlock() }
}

func peerStateOf(t *testing.T, dm *Daemon, node string) string {
	for _, p := range query[*messages.Peers](t, dm, dm.deps.pids.info, &messages.GetPeers{}).Peers {
		if p.Node == node {
			return p.State
		}
	}
	return ""
}

// Peer states follow the receiver's clock: alive, suspect after half the
// timeout, down after all of it (its disks then only "last seen"), and
// forgotten after forget_after.
func TestInfo_PeerStatesOnTheReceiversClock(t *testing.T) {
	h := &transport.Hub{}
	clock := &fakeClock{t: time.Now()}
	a, _ := testDaemon(t, h, "a", diskA, func(o *Options) { o.Now, o.Ticks = clock.now, clock.ticks })
	testDaemon(t, h, "b", diskB)
	waitFor(t, "a knows both disks", func() bool { return len(inventory(t, a)) == 2 })
	timeout, forget := a.deps.cfg.Peer.Timeout, a.deps.cfg.Peer.ForgetAfter
	if got := peerStateOf(t, a, "b"); got != messages.PeerAlive {
		t.Fatalf("b: got %q, want alive", got)
	}
	clock.advance(timeout/2 + time.Second)
	waitFor(t, "b suspect", func() bool { return peerStateOf(t, a, "b") == messages.PeerSuspect })
	if got := len(inventory(t, a)); got != 2 {
		t.Errorf("a suspect peer's disks: %d listed, want 2", got)
	}
	clock.advance(timeout / 2)
	waitFor(t, "b down", func() bool { return peerStateOf(t, a, "b") == messages.PeerDown })
	if got := len(inventory(t, a)); got != 1 {
		t.Errorf("a down peer's disks: %d listed in all, want only a's own", got)
	}
	w := query[*messages.WhereResult](t, a, a.deps.pids.info, &messages.Where{Query: "beta disk"})
	if len(w.Matches) != 0 || len(w.LastSeen) != 1 || w.LastSeen[0].Node != "b" {
		t.Errorf("where beta disk on a: got %+v, want last seen on b", w)
	}
	clock.advance(forget)
	waitFor(t, "b forgotten", func() bool { return peerStateOf(t, a, "b") == "" })
	w = query[*messages.WhereResult](t, a, a.deps.pids.info, &messages.Where{Query: "beta disk"})
	if len(w.LastSeen) != 0 {
		t.Errorf("after forget_after: still last seen %+v", w.LastSeen)
	}
}

// The same UUID on two nodes is flagged, not merged.
func TestInfo_DuplicateUUID(t *testing.T) {
	h := &transport.Hub{}
	a, _ := testDaemon(t, h, "a", diskA)
	testDaemon(t, h, "b", diskA)
	waitFor(t, "a knows both copies", func() bool { return len(inventory(t, a)) == 2 })
	w := query[*messages.WhereResult](t, a, a.deps.pids.info, &messages.Where{Query: "alpha"})
	if len(w.Matches) != 2 || len(w.Duplicates) != 1 {
		t.Errorf("where alpha: got %+v, want two matches and one duplicate UUID", w)
	}
	st := query[*messages.Status](t, a, a.deps.pids.info, &messages.GetStatus{})
	if len(st.Duplicates) != 1 {
		t.Errorf("status duplicates: got %v, want one", st.Duplicates)
	}
}

// A restarted peer (new instance) counts generations from 1 again: its
// first inventory replaces the old instance's, even though the old one had
// a higher generation.
func TestInfo_RestartedPeerNewGenerations(t *testing.T) {
	h := &transport.Hub{}
	a, _ := testDaemon(t, h, "a", diskA)
	waitFor(t, "a knows its disk", func() bool { return len(inventory(t, a)) == 1 })
	send := func(inst string, seq, gen uint64, label string, announceFirst bool) {
		disks := []messages.Disk{{UUID: "uuid-" + label, Label: label}}
		order := []*wire.Envelope{
			{Kind: wire.KindChunk, Gen: gen, Chunks: 1, Disks: disks},
			{Kind: wire.KindAnnounce, Gen: gen, Chunks: 1, Digest: wire.Digest(disks), Count: 1},
		}
		if announceFirst {
			order[0], order[1] = order[1], order[0]
		}
		for _, e := range order {
			e.Node, e.Instance, e.Seq = "p", inst, seq
			seq++
			b, err := wire.EncodeDatagram(e, nil)
			if err != nil {
				t.Fatal(err)
			}
			h.Inject(b)
		}
	}
	labelOfP := func() string {
		for _, d := range inventory(t, a) {
			if d.Node == "p" {
				return d.Label
			}
		}
		return ""
	}
	send("00000000000000a1", 10, 5, "before", false)
	waitFor(t, "p's first instance listed", func() bool { return labelOfP() == "before" })
	send("00000000000000b2", 1, 1, "after", true) // as after a restart: announce, then chunks on request
	waitFor(t, "p's restarted instance listed", func() bool { return labelOfP() == "after" })
}
