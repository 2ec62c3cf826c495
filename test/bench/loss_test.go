package bench

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/test/bed"
)

// lossScale is the size of TestBenchLoss, by scale.
var lossScale = map[string]struct{ hosts, disks, runs int }{
	"full":  {hosts: 5, disks: 1000, runs: 3},
	"short": {hosts: 3, disks: 100, runs: 1},
}

// lossShares are the receive losses compared, in percent; 0 first, the
// baseline.
var lossShares = []int{0, 10, 30}

// TestBenchLoss measures start-up convergence when every host loses a
// fixed share of what it receives: 5 hosts × 1,000 disks (125 chunks each)
// in network namespaces (root, nft), each host dropping 0, 10 or 30 % of
// the datagrams from its peers, independently at random (an nftables
// `numgen random` rule in its namespace, bed.Options.ReceiveLoss; this
// kernel has no netem). All hosts start together; converged is when the
// last one lists every disk, from the moment all processes had started.
// The three shares alternate run by run, in the same run of the test, so
// that the machine's load weighs on each alike. The share actually dropped
// is read back from the rule's counters. Announce 1 s, peer.timeout 5 s,
// as in the convergence benchmark (DISKD_BENCH_ANNOUNCE overrides).
// Targets: with 10 % loss converged within twice the lossless time; with
// 30 % still converged.
func TestBenchLoss(t *testing.T) {
	sc := sizes(t)
	if reason := bed.LossUnavailable(); reason != "" {
		t.Skipf("loss needs network namespaces and nft: %s", reason)
	}
	size := lossScale[sc.name]
	announce, peerTimeout := time.Second, 5*time.Second
	if v := os.Getenv("DISKD_BENCH_ANNOUNCE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 100*time.Millisecond {
			t.Fatalf("DISKD_BENCH_ANNOUNCE=%q: want a duration of at least 100ms", v)
		}
		announce, peerTimeout = d, max(3*d, 5*time.Second)
	}
	times := map[int][]time.Duration{}
	dropped := map[int][2]int64{} // share: received, dropped
	for run := range size.runs {
		for _, share := range lossShares {
			b := bed.New(t, bed.Options{Hosts: size.hosts, Mode: bed.Netns, Announce: announce, PeerTimeout: peerTimeout,
				Disks: func(i int) []bed.Disk { return bed.Disks(i, size.disks) }, DeferStart: true,
				ReceiveLoss: func(int) int { return share }})
			_, last, err := b.StartAll()
			if err != nil {
				t.Fatal(err)
			}
			p, err := b.WaitConverged(context.Background(), 0, 5*time.Minute)
			if err != nil {
				t.Fatalf("%d%% loss, run %d: %v", share, run, err)
			}
			times[share] = append(times[share], slices.MaxFunc(p.Done, time.Time.Compare).Sub(last))
			c := dropped[share]
			for _, h := range b.Hosts {
				rx, dx, err := h.LossCounters()
				if err != nil {
					t.Fatal(err)
				}
				c[0], c[1] = c[0]+rx, c[1]+dx
			}
			dropped[share] = c
			if err := b.Close(); err != nil {
				t.Fatalf("%d%% loss, run %d: %v", share, run, err)
			}
		}
	}
	base := Summarize(times[0])
	var figs []figure
	for _, share := range lossShares {
		s := Summarize(times[share])
		c := dropped[share]
		target := ""
		switch share {
		case 10:
			target = verdict(fmt.Sprintf("≤ 2 × lossless (p50 ≤ %v)", r(2*base.P50)), s.P50 <= 2*base.P50)
		case 30:
			target = verdict("converged", true) // it did, or the test failed above
		}
		figs = append(figs, figure{fmt.Sprintf("%d%% receive loss: converged", share),
			fmt.Sprintf("%s (%.1f × lossless p50)", s, float64(s.P50)/float64(max(base.P50, 1))), target})
		figs = append(figs, figure{"  datagrams from peers: dropped",
			fmt.Sprintf("%d of %d (%.1f%%)", c[1], c[0], 100*float64(c[1])/float64(max(c[0], 1))), ""})
	}
	report(t, sc, "loss",
		fmt.Sprintf("mode=netns hosts=%d disks/host=%d runs=%d (shares alternating) announce=%v peer.timeout=%v",
			size.hosts, size.disks, size.runs, announce, peerTimeout), figs)
}
