package actors

import (
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// wirePeer injects a peer's datagrams into a hub, as a daemon would send
// them: an inventory generation as one chunk then its announce, later
// announces of the same generation to say it is alive.
type wirePeer struct {
	t    *testing.T
	h    *transport.Hub
	node string
	seq  uint64
	gen  uint64
	last []messages.Disk
}

func (p *wirePeer) send(e *wire.Envelope) {
	p.seq++
	e.Node, e.Instance, e.Seq = p.node, "00000000000000f1", p.seq
	b, err := wire.EncodeDatagram(e, nil)
	if err != nil {
		p.t.Fatal(err)
	}
	p.h.Inject(b)
}

// inventory sends a new generation holding disks.
func (p *wirePeer) inventory(disks []messages.Disk) {
	p.gen++
	p.last = disks
	p.send(&wire.Envelope{Kind: wire.KindChunk, Gen: p.gen, Chunks: 1, Disks: disks})
	p.alive()
}

// alive announces the current generation again.
func (p *wirePeer) alive() {
	p.send(&wire.Envelope{Kind: wire.KindAnnounce, Gen: p.gen, Chunks: 1, Digest: wire.Digest(p.last), Count: len(p.last)})
}

func peerOf(t *testing.T, dm *Daemon, node string) *messages.Peer {
	for _, p := range query[*messages.Peers](t, dm, dm.deps.pids.info, &messages.GetPeers{}).Peers {
		if p.Node == node {
			return &p
		}
	}
	return nil
}

func where(t *testing.T, dm *Daemon, q string) *messages.WhereResult {
	return query[*messages.WhereResult](t, dm, dm.deps.pids.info, &messages.Where{Query: q})
}

func status(t *testing.T, dm *Daemon) *messages.Status {
	return query[*messages.Status](t, dm, dm.deps.pids.info, &messages.GetStatus{})
}

// A disk of a peer that went down was last seen when the peer was last
// heard, not when its inventory last changed; a disk the peer dropped was
// last seen when the peer was last heard holding it.
func TestInfo_LastSeenIsLastHeard(t *testing.T) {
	h := &transport.Hub{}
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	a, _ := testDaemon(t, h, "a", diskA, func(o *Options) { o.Now, o.Ticks = clock.now, clock.ticks })
	p := &wirePeer{t: t, h: h, node: "p"}
	keep := messages.Disk{UUID: "cccccccc-0000-4000-8000-000000000001", Label: "keep", Device: "/dev/sdc1", Type: "ext4"}
	drop := messages.Disk{UUID: "dddddddd-0000-4000-8000-000000000001", Label: "drop", Device: "/dev/sdd1", Type: "ext4"}
	p.inventory([]messages.Disk{keep, drop})
	waitFor(t, "a lists p's disks", func() bool { return len(inventory(t, a)) == 3 })
	heardWithDrop := clock.now()

	clock.advance(time.Hour) // p keeps announcing, its inventory unchanged
	p.alive()
	waitFor(t, "p heard again", func() bool { return peerOf(t, a, "p").Seq == p.seq })
	clock.advance(time.Minute)
	p.inventory([]messages.Disk{keep}) // p no longer holds drop
	waitFor(t, "p's disk dropped", func() bool { return len(inventory(t, a)) == 2 })
	clock.advance(time.Hour)
	p.alive()
	waitFor(t, "p heard again", func() bool { return peerOf(t, a, "p").Seq == p.seq })
	lastHeard := clock.now()

	w := where(t, a, "drop")
	if len(w.Matches) != 0 || len(w.LastSeen) != 1 || !w.LastSeen[0].At.Equal(heardWithDrop.Add(time.Hour)) {
		t.Errorf("where drop: got %+v, want last seen on p at %v (the last announce that held it)", w, heardWithDrop.Add(time.Hour))
	}
	timeout := a.deps.cfg.Peer.Timeout
	clock.advance(timeout + time.Second)
	waitFor(t, "p down", func() bool { return peerOf(t, a, "p").State == messages.PeerDown })
	w = where(t, a, "keep")
	if len(w.Matches) != 0 || len(w.LastSeen) != 1 || w.LastSeen[0].Node != "p" || !w.LastSeen[0].At.Equal(lastHeard) {
		t.Fatalf("where keep: got %+v, want last seen on p at %v", w, lastHeard)
	}
	if got, want := w.LastSeen[0].Ago, (timeout + time.Second).String(); got != want {
		t.Errorf("where keep: ago %q, want %q", got, want)
	}
}

// A daemon never lists its own node name as a peer: not from its state
// file, not from a sender that uses its name.
func TestInfo_NeverItsOwnPeer(t *testing.T) {
	snap := &messages.StateSnapshot{Peers: []messages.SavedPeer{
		{Node: "a", Instance: "old", Disks: []messages.Disk{disk(1)}},
		{Node: "b", Instance: "b1", Disks: []messages.Disk{disk(2)}},
	}}
	st := restoreState(snap, "a", infoLimits(100, 100))
	if _, ok := st.peers["a"]; ok || len(st.peers) != 1 {
		t.Errorf("restored peers: %v, want only b", st.peers)
	}
	h := &transport.Hub{}
	a, _ := testDaemon(t, h, "a", diskA)
	waitFor(t, "a knows its disk", func() bool { return len(inventory(t, a)) == 1 })
	a.sys.Root.Send(a.deps.pids.info, &messages.PeerAnnounced{Node: "a", Instance: "x", Full: true, Gen: 1,
		Disks: []messages.Disk{disk(3)}, At: time.Now()})
	if got := query[*messages.Peers](t, a, a.deps.pids.info, &messages.GetPeers{}).Peers; len(got) != 0 {
		t.Errorf("peers of a: got %+v, want none", got)
	}
	if got := status(t, a).Drops[wire.DropNodeClash]; got != 1 {
		t.Errorf("node_conflict drops: %d, want 1", got)
	}
}

// Over budget an inventory is refused whole and counted; a known peer
// keeps its last good inventory; a peer may always shrink.
func TestInfo_BudgetRefusesWholeInventories(t *testing.T) {
	h := &transport.Hub{}
	a, _ := testDaemon(t, h, "a", diskA, func(o *Options) { o.Config.Limits.MaxDisks = 3 })
	disks := func(from, n int) []messages.Disk {
		var out []messages.Disk
		for i := range n {
			out = append(out, disk(from+i))
		}
		return out
	}
	p := &wirePeer{t: t, h: h, node: "p"}
	q := &wirePeer{t: t, h: h, node: "q"}
	p.inventory(disks(0, 2))
	waitFor(t, "p's disks listed", func() bool { return len(inventory(t, a)) == 3 })
	overBudget := func() uint64 { return status(t, a).Drops[wire.DropOverBudget] }
	q.inventory(disks(10, 2))
	waitFor(t, "q refused", func() bool { return overBudget() == 1 })
	p.inventory(disks(0, 4))
	waitFor(t, "p's growth refused", func() bool { return overBudget() == 2 })
	if got := peerOf(t, a, "p"); got == nil || got.Disks != 2 {
		t.Errorf("p after a refused inventory: %+v, want its 2 disks kept", got)
	}
	if l := status(t, a).Limits; l.Disks != 2 || l.MaxDisks != 3 || l.Peers != 2 || l.Bytes <= 0 {
		t.Errorf("limits: %+v, want 2 of 3 disks in use", l)
	}
	p.inventory(disks(0, 1))
	waitFor(t, "p shrinks", func() bool { return peerOf(t, a, "p").Disks == 1 })
	q.inventory(disks(10, 2))
	waitFor(t, "q fits now", func() bool { p := peerOf(t, a, "q"); return p != nil && p.Disks == 2 })
	if n := overBudget(); n != 2 {
		t.Errorf("over_budget drops: %d, want 2", n)
	}
}

// A panic in a handler drops that message, is counted, and leaves Info's
// knowledge as it was.
func TestInfo_PanicKeepsState(t *testing.T) {
	h := &transport.Hub{}
	a, _ := testDaemon(t, h, "a", diskA)
	testDaemon(t, h, "b", diskB)
	waitFor(t, "a knows both disks", func() bool { return len(inventory(t, a)) == 2 })
	a.sys.Root.Send(a.deps.pids.info, &messages.Crash{})
	waitFor(t, "failure counted", func() bool { return status(t, a).InfoFailed == 1 })
	if got := len(where(t, a, "beta disk").Matches); got != 1 {
		t.Errorf("where beta disk after the restart: %d matches, want 1", got)
	}
}

// rebuild remakes the indexes from the peers when a commit was cut short.
func TestInfo_RebuildIndexes(t *testing.T) {
	st := restoreState(&messages.StateSnapshot{
		Peers:     []messages.SavedPeer{{Node: "b", Disks: []messages.Disk{disk(1), disk(2)}}},
		Sightings: []messages.Sighting{{Node: "b", At: time.Unix(1, 0), Disk: disk(3)}, {Node: "b", At: time.Unix(1, 0), Disk: disk(1)}},
	}, "a", infoLimits(100, 100))
	if st.sightings.len() != 1 {
		t.Fatalf("restored: %d sightings, want 1 (disk 1 is held by b)", st.sightings.len())
	}
	want := fmt.Sprint(st.present.len(), st.peerDisks, st.peerBytes, st.sightings.len())
	st.present = newPresentIndex() // as if a panic hit half-way
	st.peerDisks = 99
	a := &Info{st: st, id: identity{Node: "a"}, log: testLog()}
	a.rebuild()
	if got := fmt.Sprint(st.present.len(), st.peerDisks, st.peerBytes, st.sightings.len()); got != want {
		t.Errorf("after rebuild: %s, want %s", got, want)
	}
}

func infoLimits(disks, peers int) config.Limits {
	return config.Limits{MaxDisks: disks, MaxPeers: peers, MaxBytes: config.DefaultMaxBytes}
}

func testLog() *slog.Logger { return slog.New(slog.DiscardHandler) }
