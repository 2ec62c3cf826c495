package actors

import (
	"fmt"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/messages"
)

// Many peers forgotten in one tick: a debug subscriber hears each one
// forgotten, where finds none of their disks, present or last seen, the
// budget is free again, and a forgotten peer heard again comes back with
// only what it announces.
func TestInfo_ForgetManyPeersInOneTick(t *testing.T) {
	const peers = 50
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	dm, _ := testDaemon(t, &transport.Hub{}, "a", diskA, func(o *Options) { o.Now, o.Ticks = clock.now, clock.ticks })
	events := make(chan *messages.Event, 4*peers)
	probe := dm.sys.Root.Spawn(actor.PropsFromFunc(func(c actor.Context) {
		switch m := c.Message().(type) {
		case *actor.Started:
			c.Request(dm.deps.pids.info, &messages.Subscribe{})
		case *messages.Event:
			if m.Kind == messages.EventPeerForgotten {
				events <- m
			}
		}
	}))
	t.Cleanup(func() { _ = dm.sys.Root.PoisonFuture(probe).Wait() })
	waitFor(t, "subscribed", func() bool { return dm.deps.stats.subscribers.Load() == 1 })
	for gen := 1; gen <= 2; gen++ {
		for p := range peers {
			node := fmt.Sprintf("peer%02d", p)
			announce(dm, clock, node, uint64(gen), benchDisks(node, gen, 3))
		}
	}
	st := query[*messages.Status](t, dm, dm.deps.pids.info, &messages.GetStatus{})
	if st.Limits.Peers != peers || st.Limits.Disks != 3*peers || st.Limits.Sightings != 3*peers {
		t.Fatalf("setup: %+v", st.Limits)
	}
	clock.advance(dm.deps.cfg.Peer.ForgetAfter + dm.deps.cfg.Peer.Timeout + time.Hour)
	waitFor(t, "all forgotten", func() bool {
		return query[*messages.Status](t, dm, dm.deps.pids.info, &messages.GetStatus{}).Limits.Peers == 0
	})
	st = query[*messages.Status](t, dm, dm.deps.pids.info, &messages.GetStatus{})
	if st.Limits.Disks != 0 || st.Limits.Sightings != 0 || st.Limits.Bytes != 0 {
		t.Errorf("after forgetting: %+v", st.Limits)
	}
	seen := map[string]bool{}
	for len(seen) < peers {
		select {
		case ev := <-events:
			if seen[ev.Node] {
				t.Errorf("%s forgotten twice", ev.Node)
			}
			seen[ev.Node] = true
		case <-time.After(5 * time.Second):
			t.Fatalf("forgotten events: %d of %d", len(seen), peers)
		}
	}
	for _, q := range []string{"peer07 g1 d0", "peer07 g2 d1", "/dev/sd2", benchUUID("peer07", 2, 0)} {
		if w := query[*messages.WhereResult](t, dm, dm.deps.pids.info, &messages.Where{Query: q}); len(w.Matches)+len(w.LastSeen) != 0 {
			t.Errorf("where %q after forgetting: %+v", q, w)
		}
	}
	announce(dm, clock, "peer07", 1, benchDisks("peer07", 2, 3))
	w := query[*messages.WhereResult](t, dm, dm.deps.pids.info, &messages.Where{Query: "/dev/sd2"})
	if len(w.Matches) != 1 || w.Matches[0].Node != "peer07" || len(w.LastSeen) != 0 {
		t.Errorf("where /dev/sd2 after peer07 came back: %+v", w)
	}
	st = query[*messages.Status](t, dm, dm.deps.pids.info, &messages.GetStatus{})
	if st.Limits.Peers != 1 || st.Limits.Disks != 3 || st.Limits.Sightings != 0 {
		t.Errorf("peer07 back: %+v", st.Limits)
	}
}
