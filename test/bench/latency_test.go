package bench

import (
	"fmt"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/test/bed"
)

// TestBenchLatency measures change-to-visibility latency: a new disk is
// written to host A's fake blkid, `refresh` is sent to A, and host B is
// asked `where UUID` every 0.5 ms until it answers "on A". The latency runs
// from sending refresh to that answer, so it includes A's blkid run (a
// `cat`), the multicast of the new generation and B's assembly. A and B
// rotate over all ordered pairs of hosts. Target: p99 < 50 ms.
func TestBenchLatency(t *testing.T) {
	sc := sizes(t)
	const announce, peerTimeout = time.Second, 5 * time.Second
	b := bed.New(t, bed.Options{Hosts: sc.latencyHosts, Mode: mode(t), Announce: announce, PeerTimeout: peerTimeout})
	converge(t, b, 30*time.Second)
	conns := dialAll(t, b)
	n := len(b.Hosts)

	var lat, refresh []time.Duration
	polls := 0
	for i := range sc.latencyChanges {
		ai := i % n
		bi := (ai + 1 + (i/n)%(n-1)) % n
		a, bh := b.Hosts[ai], b.Hosts[bi]
		uuid := bed.UUID(ai, 1000+i)
		disks := append(bed.Disks(ai, 2), bed.Disk{Device: "/dev/disk/bed/new", UUID: uuid,
			Label: fmt.Sprintf("change %d", i), Type: "xfs"})
		if err := a.ChangeDisks(disks); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		ans, err := conns[ai].Do("refresh")
		if err != nil || !ans.OK() {
			t.Fatalf("refresh on %s: %+v %v, want .ok", a.Name, ans, err)
		}
		refreshed := time.Since(start)
		deadline := start.Add(5 * time.Second)
		for {
			ans, err := conns[bi].Do("where " + uuid)
			polls++
			if err != nil {
				t.Fatalf("where on %s: %v", bh.Name, err)
			}
			if ans.Summary() == "on "+a.Name {
				lat = append(lat, time.Since(start))
				refresh = append(refresh, refreshed)
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("change %d: %s does not list %s's new disk after 5s: got %q, want \"on %s\"\n%s",
					i, bh.Name, a.Name, ans.Status, a.Name, bh.LogTail(10))
			}
			time.Sleep(500 * time.Microsecond)
		}
		time.Sleep(20 * time.Millisecond) // let the last change's traffic settle
	}
	s, rs := Summarize(lat), Summarize(refresh)
	report(t, sc, "latency",
		fmt.Sprintf("mode=%s hosts=%d changes=%d announce=%v peer.timeout=%v poll=0.5ms", mode(t), n, len(lat), announce, peerTimeout),
		[]figure{
			{"refresh on A until B lists it", s.String(), verdict("p99 < 50ms", s.P99 < 50*time.Millisecond)},
			{"  of which the refresh answer", rs.String(), ""},
			{"where polls per change (mean)", fmt.Sprintf("%.1f", float64(polls)/float64(len(lat))), ""},
		})
}
