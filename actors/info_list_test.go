package actors

import (
	"slices"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/messages"
)

func inventoryView(t *testing.T, dm *Daemon) *messages.InventoryView {
	return query[*messages.InventoryView](t, dm, dm.deps.pids.info, &messages.GetInventoryView{})
}

// The view lists what the inventory lists, in the same order: local disks,
// then live peers by name; a down peer's disks are left out. A view taken
// earlier still shows the moment it was taken after the peer changes its
// disks (Info replaces a node's list, never writes into it).
func TestInfo_InventoryViewIsTheInventory(t *testing.T) {
	h := &transport.Hub{}
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	a, _ := testDaemon(t, h, "a", diskA, func(o *Options) { o.Now, o.Ticks = clock.now, clock.ticks })
	q := &wirePeer{t: t, h: h, node: "q"}
	p := &wirePeer{t: t, h: h, node: "p"}
	q.inventory([]messages.Disk{disk(1), disk(2)})
	p.inventory([]messages.Disk{disk(3)})
	waitFor(t, "a lists p's and q's disks", func() bool { return len(inventory(t, a)) == 4 })

	check := func(what string) *messages.InventoryView {
		t.Helper()
		v, inv := inventoryView(t, a), inventory(t, a)
		var got []messages.NodeDisk
		v.Each(func(nd messages.NodeDisk) bool { got = append(got, nd); return true })
		if v.Disks != len(inv) || !slices.EqualFunc(got, inv, func(x, y messages.NodeDisk) bool {
			return x.Node == y.Node && x.Local == y.Local && x.Disk.Equal(y.Disk)
		}) {
			t.Fatalf("%s: view %+v (%d disks), want the inventory %+v", what, got, v.Disks, inv)
		}
		return v
	}
	before := check("all alive")
	if names := []string{before.Nodes[0].Node, before.Nodes[1].Node, before.Nodes[2].Node}; !slices.Equal(names, []string{"a", "p", "q"}) {
		t.Errorf("nodes: got %v, want a (local), p, q", names)
	}

	q.inventory([]messages.Disk{disk(4)})
	waitFor(t, "q's new disk", func() bool { return len(where(t, a, "label 4").Matches) == 1 })
	if got := before.Nodes[2].Disks; len(got) != 2 || got[0].Label != "label 1" || got[1].Label != "label 2" {
		t.Errorf("the earlier view changed: q holds %+v, want labels 1 and 2", got)
	}
	check("q changed")

	clock.advance(a.deps.cfg.Peer.Timeout + time.Second)
	p.alive() // only p is heard: q goes down
	waitFor(t, "q down, p heard since", func() bool {
		pp := peerOf(t, a, "p")
		return peerOf(t, a, "q").State == messages.PeerDown && pp.Seq == p.seq && pp.State == messages.PeerAlive
	})
	if v := check("q down"); len(v.Nodes) != 2 {
		t.Errorf("with q down: %d nodes in the view, want a and p", len(v.Nodes))
	}
}
