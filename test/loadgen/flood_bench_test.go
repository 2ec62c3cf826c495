package loadgen

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// floodScenario sizes BenchmarkFloodAtBudget. maxDisks 0 keeps the
// daemon's default limits.
type floodScenario struct {
	peers, disks int
	maxDisks     int
	sockets      int
	rate         float64
	steady       time.Duration // how long the flood goes on once the budget is full
	fillWithin   time.Duration
}

// The full run: 400 × 1,000 valid disks, twice the default budget of
// 200,000, from one process and one address (a few source ports, each
// under the daemon's limit per source). DISKD_FLOOD=short: 20 × 1,000
// against a budget of 10,000, a few seconds, for test/run.sh.
var (
	floodFull  = floodScenario{peers: 400, disks: 1000, sockets: 4, rate: 7000, steady: 60 * time.Second, fillWithin: 5 * time.Minute}
	floodShort = floodScenario{peers: 20, disks: 1000, maxDisks: 10000, sockets: 1, rate: 1800, steady: 3 * time.Second, fillWithin: time.Minute}
)

// knownDisks is the inventory of the peer the daemon knows before the
// flood starts.
const knownDisks = 100

// BenchmarkFloodAtBudget starts one daemon with the default limits, lets it
// learn one simulated peer ("known-0000", 100 disks), then floods it from
// one sender with valid protocol-v2 peers of 1,000 disks each, twice its
// disk budget, answering its requests as real peers would. Throughout, it
// samples the daemon's RSS from /proc and times `status` and `where` on
// one client connection each. Once the budget is full it keeps flooding
// for a steady window, then reports peak and steady RSS, disks held
// against the budget, over_budget drops, the query latencies, and checks
// that the known peer still has all its disks. Run it once:
//
//	go test -run '^$' -bench FloodAtBudget -benchtime 1x -v ./test/loadgen/
//
// DISKD_FLOOD=short runs the small variant; DISKD_FLOOD_GOMEMLIMIT (e.g.
// 300MiB) is given to the daemon as GOMEMLIMIT, the Go runtime's soft
// memory limit.
func BenchmarkFloodAtBudget(b *testing.B) {
	sc := floodFull
	if os.Getenv("DISKD_FLOOD") == "short" {
		sc = floodShort
	}
	logMachine(b)
	var env []string
	if v := os.Getenv("DISKD_FLOOD_GOMEMLIMIT"); v != "" {
		env = append(env, "GOMEMLIMIT="+v)
		b.Logf("daemon environment: GOMEMLIMIT=%s", v)
	}
	bd := bed.New(b, bed.Options{Hosts: bed.NoHosts, Announce: 2 * time.Second, PeerTimeout: 10 * time.Minute,
		MountsInterval: time.Hour, StartTimeout: 15 * time.Second})
	d, err := bd.AddHost(bed.HostOptions{Name: "flood-target", Env: env, Configure: func(c *config.Config) {
		if sc.maxDisks > 0 {
			c.Limits.MaxDisks = sc.maxDisks
		}
	}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	known, err := New(Config{Group: bd.Group, Port: bd.Port, Peers: 1, DisksPerPeer: knownDisks, NodePrefix: "known",
		Sockets: 1, Rate: 200, AnnounceEvery: 2 * time.Second, AnswerRequests: true, MaxDuration: 20 * time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	if err := known.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer known.Stop()
	knownHeld := func() int {
		n, disks, err := peerDisks(d, "known-")
		if err != nil || n != 1 {
			return -1
		}
		return disks
	}
	bed.WaitFor(b, time.Minute, "the daemon knows the known peer", func() (bool, error) {
		return knownHeld() == knownDisks, nil
	})
	st, err := d.Status()
	if err != nil {
		b.Fatal(err)
	}
	budget := st.Limits.MaxDisks
	p0, err := d.ProcStat()
	if err != nil {
		b.Fatal(err)
	}

	flood, err := New(Config{Group: bd.Group, Port: bd.Port, Peers: sc.peers, DisksPerPeer: sc.disks, NodePrefix: "flood",
		Sockets: sc.sockets, Rate: sc.rate, AnnounceEvery: 2 * time.Second, AnswerRequests: true, MaxDuration: 20 * time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("daemon: limits.max_disks %d, limits.max_bytes %d, limits.max_peers %d; RSS %.1f MiB before the flood",
		budget, st.Limits.MaxBytes, st.Limits.MaxPeers, mib(p0.RSS))
	b.Logf("flood: %d peers × %d disks = %d disks (%.1f× the budget), %d chunks + 1 announce each, %d sockets, %.0f datagrams/s",
		sc.peers, sc.disks, sc.peers*sc.disks, float64(sc.peers*sc.disks)/float64(budget), flood.Chunks(), sc.sockets, sc.rate)

	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		samples []bed.ProcStat
	)
	stop := make(chan struct{})
	wg.Add(3)
	go func() { // RSS every 200ms
		defer wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if s, err := d.ProcStat(); err == nil {
					mu.Lock()
					samples = append(samples, s)
					mu.Unlock()
				}
			}
		}
	}()
	statusQ := &clientLoop{cmd: "status --json"}
	whereQ := &clientLoop{cmd: "where " + known.Label(0, knownDisks/2), want: known.Node(0)}
	go func() { defer wg.Done(); statusQ.run(d, stop) }()
	go func() { defer wg.Done(); whereQ.run(d, stop) }()

	start := time.Now()
	if err := flood.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer flood.Stop()
	// Full: another peer of the flood no longer fits, and one was refused.
	bed.WaitFor(b, sc.fillWithin, "the budget fills and refusals are counted", func() (bool, error) {
		var err error
		st, err = d.Status()
		if err != nil {
			return false, err
		}
		return st.Limits.Disks > budget-sc.disks && st.Drops[wire.DropOverBudget] > 0, nil
	})
	filled := time.Since(start)
	b.Logf("budget full after %v: %d of %d disks, %d peers, %d over_budget drops, generator sent %d datagrams",
		filled.Round(time.Millisecond), st.Limits.Disks, budget, st.Limits.Peers, st.Drops[wire.DropOverBudget], flood.Stats().Sent)
	steadyFrom := time.Now()
	time.Sleep(sc.steady) // the flood goes on: refusals, requests, re-sends
	st, err = d.Status()
	if err != nil {
		b.Fatal(err)
	}
	held := knownHeld()
	close(stop)
	wg.Wait()
	end, err := d.ProcStat()
	if err != nil {
		b.Fatal(err)
	}
	fst := flood.Stats()

	var steady []int64
	for _, s := range samples {
		if !s.At.Before(steadyFrom) {
			steady = append(steady, s.RSS)
		}
	}
	b.Logf("after %v more of flood: %d of %d disks held (%d bytes of %d), %d peers, %d over_budget drops",
		sc.steady, st.Limits.Disks, budget, st.Limits.Bytes, st.Limits.MaxBytes, st.Limits.Peers, st.Drops[wire.DropOverBudget])
	b.Logf("generator: %d datagrams sent, %d requests answered with %d resends, %d send errors",
		fst.Sent, fst.Requests, fst.Resent, fst.SendErrors)
	b.Logf("RSS (VmRSS): %.1f MiB before, peak %.1f MiB (VmHWM), steady %.1f–%.1f MiB over the last %v (%d samples); daemon CPU %v",
		mib(p0.RSS), mib(end.HWM), mib(minOf(steady)), mib(maxOf(steady)), sc.steady, len(steady), (end.CPU - p0.CPU).Round(10*time.Millisecond))
	b.Logf("RSS over time (MiB, every 5s from the flood's start): %s", rssTimeline(samples, start, 5*time.Second))
	for _, q := range []*clientLoop{statusQ, whereQ} {
		b.Logf("%s during the flood, one connection: %d answers, %d failed, %v", q.cmd, len(q.lat), q.failed, q.lat)
	}
	b.Logf("known peer: %d of %d disks held after the flood", held, knownDisks)
	b.Logf("load average after: %s", loadAverage())

	if st.Limits.Disks > budget {
		b.Errorf("%d disks held, over the budget of %d", st.Limits.Disks, budget)
	}
	if held != knownDisks {
		b.Errorf("the known peer: %d disks held, want %d", held, knownDisks)
	}
	for _, q := range []*clientLoop{statusQ, whereQ} {
		if q.failed > 0 || len(q.lat) == 0 {
			b.Errorf("%s: %d answers, %d failed (%s); want every query answered", q.cmd, len(q.lat), q.failed, q.lastErr)
		}
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(mib(end.HWM), "peak-RSS-MiB")
	b.ReportMetric(mib(maxOf(steady)), "steady-RSS-MiB")
	b.ReportMetric(float64(st.Limits.Disks), "disks-held")
	b.ReportMetric(float64(st.Drops[wire.DropOverBudget]), "over-budget-drops")
	b.ReportMetric(ms(statusQ.lat.pct(50)), "status-p50-ms")
	b.ReportMetric(ms(statusQ.lat.pct(99)), "status-p99-ms")
	b.ReportMetric(ms(whereQ.lat.pct(50)), "where-p50-ms")
	b.ReportMetric(ms(whereQ.lat.pct(99)), "where-p99-ms")
}

// clientLoop sends one command on one connection every 100ms (reconnecting
// after a failure) and records each answer's latency.
type clientLoop struct {
	cmd, want string // want: a string the answer must contain
	lat       durations
	failed    int
	lastErr   string
}

func (q *clientLoop) run(d *bed.Host, stop <-chan struct{}) {
	var c *bed.Conn
	defer func() {
		if c != nil {
			c.Close()
		}
	}()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		if c == nil {
			var err error
			if c, err = bed.Dial(d.Socket, 30*time.Second); err != nil {
				q.failed++
				q.lastErr = err.Error()
				continue
			}
		}
		t0 := time.Now()
		a, err := c.Do(q.cmd)
		el := time.Since(t0)
		switch {
		case err != nil:
			q.lastErr = err.Error()
			c.Close()
			c = nil
		case !a.OK() || !strings.Contains(strings.Join(a.Lines, "\n"), q.want):
			q.lastErr = a.Status
		default:
			q.lat = append(q.lat, el)
			continue
		}
		q.failed++
	}
}

// peerDisks counts the peers whose node name starts with prefix and sums
// their disks (`peers --json`).
func peerDisks(h *bed.Host, prefix string) (peers, disks int, err error) {
	var ps []messages.Peer
	err = h.QueryJSON("peers", &ps)
	for _, p := range ps {
		if strings.HasPrefix(p.Node, prefix) {
			peers++
			disks += p.Disks
		}
	}
	return peers, disks, err
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func minOf(v []int64) int64 {
	if len(v) == 0 {
		return 0
	}
	m := v[0]
	for _, x := range v {
		m = min(m, x)
	}
	return m
}

func maxOf(v []int64) int64 {
	var m int64
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

// rssTimeline lists the highest RSS sampled in each step from start.
func rssTimeline(samples []bed.ProcStat, start time.Time, step time.Duration) string {
	var out []string
	var hi int64
	next := start.Add(step)
	for _, s := range samples {
		for s.At.After(next) {
			out = append(out, fmt.Sprintf("%.0f", mib(hi)))
			hi, next = 0, next.Add(step)
		}
		hi = max(hi, s.RSS)
	}
	return strings.Join(append(out, fmt.Sprintf("%.0f", mib(hi))), " ")
}
