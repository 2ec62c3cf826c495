package test

import (
	"context"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/test/bed"
)

// lossDisks is each host's disk count in the loss test: 25 chunks, so that
// a host must receive many datagrams of each peer's inventory and loses
// some of them.
const lossDisks = 200

// Three daemons in network namespaces, each dropping 20 % of the datagrams
// its peers send it (an nftables rule in its namespace, at random), with
// inventories of several chunks, still converge: every daemon lists every
// disk of every other, under the right node. The deadline is generous and
// only bounds a failing test; how fast they converge under loss is
// TestBenchLoss's business. Root only, with nft (skipped with the reason
// otherwise).
func TestLoss_convergesUnderReceiveLoss(t *testing.T) {
	if reason := bed.LossUnavailable(); reason != "" {
		t.Skipf("receive loss needs network namespaces and nft: %s", reason)
	}
	const share = 20
	b := bed.New(t, bed.Options{Hosts: 3, Mode: bed.Netns, Bin: bin, Announce: defaultAnnounce,
		PeerTimeout: defaultPeerTimeout, Disks: func(i int) []bed.Disk { return bed.Disks(i, lossDisks) },
		ReceiveLoss: func(int) int { return share }})
	if _, err := b.WaitConverged(context.Background(), 0, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, h := range b.Hosts {
		list, err := h.List()
		if err != nil {
			t.Fatal(err)
		}
		owner := map[string]string{} // uuid: node
		for _, d := range list {
			owner[d.UUID] = d.Node
		}
		for _, o := range b.Hosts {
			for _, d := range o.Disks() {
				if got := owner[d.UUID]; got != o.Name {
					t.Errorf("%s lists %s's disk %s under %q", h.Name, o.Name, d.UUID, got)
				}
			}
		}
		// The loss was real: each host dropped part of what reached it.
		rx, dropped, err := h.LossCounters()
		if err != nil {
			t.Fatal(err)
		}
		if rx == 0 || dropped == 0 {
			t.Errorf("%s: its loss rule dropped %d of %d datagrams from peers, want some", h.Name, dropped, rx)
		}
		t.Logf("%s: dropped %d of %d datagrams from its peers (%.0f%%)", h.Name, dropped, rx, 100*float64(dropped)/float64(rx))
	}
}
