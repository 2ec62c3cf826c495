package bench

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/test/bed"
)

// TestBenchConvergence measures start-up convergence: all hosts are
// started together (one exec after the other, no waiting) until every host
// lists every disk of every host. Convergence is when the last host does,
// measured both from the first process start and from the moment the last
// process had started. Each host is followed through its `debug` event
// stream, not polled, so the measurement costs the daemons almost nothing.
// Repeated on a fresh bed (new group and port) each run, for each size
// (the full run adds 10 hosts for comparison). Also shown: when the last
// socket opened, the time from then to convergence, and the CPU time all
// daemons used until convergence, which on a machine with fewer cores
// than hosts bounds the wall time from below. Target: < 2 s for 50 hosts.
func TestBenchConvergence(t *testing.T) {
	sc := sizes(t)
	const announce, peerTimeout = time.Second, 5 * time.Second
	for _, hosts := range sc.convHosts {
		var fromFirst, fromAll, spawn, ready, afterReady, cpu []time.Duration
		for run := range sc.convRuns {
			b := bed.New(t, bed.Options{Hosts: hosts, Mode: mode(t), Announce: announce, PeerTimeout: peerTimeout,
				Disks: func(i int) []bed.Disk { return bed.Disks(i, sc.convDisks) }, DeferStart: true})
			first, last, err := b.StartAll()
			if err != nil {
				t.Fatal(err)
			}
			p, err := b.WaitConverged(context.Background(), 0, 60*time.Second)
			if err != nil {
				t.Fatalf("%d hosts, run %d: %v", hosts, run, err)
			}
			var used time.Duration
			for _, h := range b.Hosts {
				s, err := h.ProcStat()
				if err != nil {
					t.Fatal(err)
				}
				used += s.CPU
			}
			done := slices.MaxFunc(p.Done, time.Time.Compare)
			lastReady := slices.MaxFunc(p.Ready, time.Time.Compare)
			fromFirst = append(fromFirst, done.Sub(first))
			fromAll = append(fromAll, done.Sub(last))
			spawn = append(spawn, last.Sub(first))
			ready = append(ready, lastReady.Sub(first))
			afterReady = append(afterReady, done.Sub(lastReady))
			cpu = append(cpu, used)
			if err := b.Close(); err != nil {
				t.Fatalf("%d hosts, run %d: %v", hosts, run, err)
			}
		}
		ff, fa, c := Summarize(fromFirst), Summarize(fromAll), Summarize(cpu)
		target := ""
		if hosts == 50 {
			target = "< 2s"
		}
		v := func(s Summary) string {
			if target == "" {
				return ""
			}
			return verdict(target, s.Max < 2*time.Second)
		}
		report(t, sc, "convergence",
			fmt.Sprintf("mode=%s hosts=%d disks/host=%d (%d in all) runs=%d announce=%v peer.timeout=%v",
				mode(t), hosts, sc.convDisks, hosts*sc.convDisks, sc.convRuns, announce, peerTimeout),
			[]figure{
				{"from all processes started", fa.String(), v(fa)},
				{"from the first process start", ff.String(), v(ff)},
				{"  starting the processes took", Summarize(spawn).String(), ""},
				{"  last socket open, from first", Summarize(ready).String(), ""},
				{"  from last socket open", Summarize(afterReady).String(), ""},
				{"  CPU of all daemons until then", fmt.Sprintf("p50=%v max=%v (%v per daemon)", r(c.P50), r(c.Max), r(c.P50/time.Duration(hosts))), ""},
			})
	}
}
