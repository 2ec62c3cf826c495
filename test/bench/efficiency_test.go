package bench

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages/wire"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// effHosts are the mass-start sizes of TestBenchEfficiency, by scale.
var effHosts = map[string][]int{"full": {10, 30, 50, 100}, "short": {3}}

// After convergence the tap keeps counting until the repair traffic still
// under way is over: no chunk and no request for effQuiet, at most
// effSettleMax.
const (
	effQuiet     = 2 * time.Second
	effSettleMax = time.Minute
)

// TestBenchEfficiency measures what a mass start (a power cut, every host
// booting at once) costs the network, in datagrams, a figure that does not
// depend on the machine's speed: N daemons with 2 disks each are started
// together (one exec after the other) while a tap joined to the group on
// lo (bed.Tap) counts every datagram by kind (announce, chunk, request,
// goodbye, ping, legacy, other) and by sending node, until every host lists
// every disk, and on until no chunk or request has been heard for 2 s (the
// periodic announces go on). Sent per host is the total divided
// by N. Production timers (announce 30 s, peer.timeout 90 s, blkid 30 s,
// mounts 10 s, repair.startup_delay 3 s), so that the periodic announce does not hide the start-up
// exchange; DISKD_BENCH_ANNOUNCE=1s reproduces the 1 s announce of the
// convergence benchmark. Target: at most 4 datagrams sent per host, not
// rising from N = 10 to N = 100.
func TestBenchEfficiency(t *testing.T) {
	sc := sizes(t)
	if m := mode(t); m != bed.Lo {
		t.Skipf("efficiency runs on lo (the tap listens there), not %s", m)
	}
	announce, peerTimeout := 30*time.Second, 90*time.Second
	if v := os.Getenv("DISKD_BENCH_ANNOUNCE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 100*time.Millisecond {
			t.Fatalf("DISKD_BENCH_ANNOUNCE=%q: want a duration of at least 100ms", v)
		}
		announce, peerTimeout = d, max(3*d, 5*time.Second)
	}
	var perHost []float64
	for _, n := range effHosts[sc.name] {
		b := bed.New(t, bed.Options{Hosts: n, Announce: announce, PeerTimeout: peerTimeout,
			BlkidInterval: 30 * time.Second, MountsInterval: 10 * time.Second, DeferStart: true,
			StartTimeout: 60 * time.Second, Disks: func(i int) []bed.Disk { return bed.Disks(i, 2) },
			// The production start-up delay: the bed's Fast() timers use
			// 250 ms, which a mass start of many daemons outlasts.
			Configure: func(_ int, c *config.Config) { c.Repair.StartupDelay = config.DefaultStartupDelay }})
		tap, err := b.Tap()
		if err != nil {
			t.Fatal(err)
		}
		first, last, err := b.StartAll()
		if err != nil {
			t.Fatal(err)
		}
		p, err := b.WaitConverged(context.Background(), 0, 3*time.Minute)
		if err != nil {
			t.Fatalf("%d hosts: %v", n, err)
		}
		atConv := tap.Counts()
		settled, quietAt := waitRepairQuiet(tap)
		dropped := tap.Dropped()
		if err := tap.Close(); err != nil { // before the goodbyes of Close
			t.Fatal(err)
		}
		var cpu time.Duration
		for _, h := range b.Hosts {
			s, err := h.ProcStat()
			if err != nil {
				t.Fatal(err)
			}
			cpu += s.CPU
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		if dropped != 0 {
			t.Errorf("%d hosts: the tap's socket dropped %d datagrams: the counts are incomplete", n, dropped)
		}
		done := slices.MaxFunc(p.Done, time.Time.Compare)
		per := float64(settled.Datagrams) / float64(n)
		perHost = append(perHost, per)
		report(t, sc, "efficiency",
			fmt.Sprintf("mode=lo hosts=%d disks/host=2 announce=%v peer.timeout=%v blkid=30s mounts=10s",
				n, announce, peerTimeout),
			[]figure{
				{"converged, from all started", r(done.Sub(last)).String(), ""},
				{"  from the first start", r(done.Sub(first)).String(), ""},
				{"datagrams on the group until then", byKind(atConv), ""},
				{"  until no chunk or request for " + effQuiet.String(), byKind(settled),
					fmt.Sprintf("quiet %v after convergence", r(max(quietAt.Sub(done), 0)))},
				{"sent per host (total/N)", fmt.Sprintf("%.1f (most by one host: %d)", per, mostByOne(settled)),
					verdict("≤ 4", per <= 4)},
				{"  bytes on the group", fmt.Sprintf("%d (%d per host)", settled.Bytes, settled.Bytes/int64(n)), ""},
				{"  CPU of all daemons", fmt.Sprintf("%v (%v per daemon)", r(cpu), r(cpu/time.Duration(n))), ""},
				{"  tap socket drops", fmt.Sprint(dropped), ""},
			})
	}
	if len(perHost) > 1 {
		rising := perHost[len(perHost)-1] > perHost[0]
		report(t, sc, "efficiency-trend", fmt.Sprintf("hosts=%v announce=%v", effHosts[sc.name], announce),
			[]figure{{"sent per host, by N", fmt.Sprintf("%.1f", perHost),
				verdict("not rising from the smallest to the largest N", !rising)}})
	}
}

// waitRepairQuiet waits until the tap has heard no chunk and no request
// for effQuiet (at most effSettleMax) and returns the counts then and when
// the last of them came.
func waitRepairQuiet(tap *bed.Tap) (bed.TapCounts, time.Time) {
	deadline := time.Now().Add(effSettleMax)
	for {
		c := tap.Counts()
		last := c.Last[wire.KindChunk]
		if l := c.Last[wire.KindRequest]; l.After(last) {
			last = l
		}
		if time.Since(last) >= effQuiet || time.Now().After(deadline) {
			return c, last
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// byKind formats the counts as "total (n kind, …)", kinds with 0 left out.
func byKind(c bed.TapCounts) string {
	var parts []string
	for _, k := range bed.TapKinds {
		if v := c.ByKind[k]; v > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", v, k))
		}
	}
	return fmt.Sprintf("%d (%s)", c.Datagrams, strings.Join(parts, ", "))
}

// mostByOne is the most datagrams one node sent.
func mostByOne(c bed.TapCounts) int64 {
	var most int64
	for node, v := range c.ByNode {
		if node != "" {
			most = max(most, v)
		}
	}
	return most
}
