package loadgen

import (
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/test/bed"
)

// Ingest: how many valid datagrams per second one daemon, pinned to one
// core, applies.
const (
	targetIngest  = 50000
	ingestPeers   = 200
	ingestDisks   = 100
	ingestSockets = 128 // 128 × 1,900/s: up to 243,200/s paced under the per-source limit
	ingestWarmup  = 2 * time.Second
	ingestSettle  = time.Second
	// The window measured at each step: ingestSlices slices of ingestSlice.
	// Each slice ends with a status query, which costs the daemon
	// O(disks) (it lists duplicate UUIDs), so slices are not shorter.
	ingestSlices = 3
	ingestSlice  = 2 * time.Second
)

// ingestRates are the offered rates stepped through, in datagrams per
// second; 0 is unpaced (as fast as the generator can send).
var ingestRates = []float64{10000, 20000, 30000, 40000, 50000, 60000, 80000, 120000, 0}

type ingestScenario struct {
	name    string
	mode    Mode
	keyed   bool
	hostile float64
}

var ingestScenarios = []ingestScenario{
	// New generations back to back: 17 chunks and an announce each.
	{"changes", Flood, false, 0},
	{"changes-signed", Flood, true, 0},
	// Announces of known generations: the steady-state traffic.
	{"announces", FloodAnnounces, false, 0},
	// Half of the datagrams hostile, in turn: garbage, oversize, forged,
	// malformed, invalid, replayed; the other half as "changes-signed".
	{"hostile-half-signed", Flood, true, 0.5},
}

// BenchmarkIngest floods one daemon, pinned with taskset to CPU 0 (the
// generator runs on the other CPUs), with datagrams from 200 simulated
// peers over 128 sockets, stepping the offered rate up, and reads what the
// daemon received and applied from `status --json` over a fixed window of
// five one-second slices at each step. Run it once:
//
//	go test -run '^$' -bench Ingest -benchtime 1x -v ./test/loadgen/
//
// DISKD_INGEST_RATES (comma-separated datagrams per second, 0 unpaced)
// replaces the steps; -bench Ingest/announces picks one scenario.
func BenchmarkIngest(b *testing.B) {
	logMachine(b)
	pin := ""
	if ok, why := canPin(); ok {
		restore, err := pinOthers(0)
		if err != nil {
			b.Fatalf("pinning the generator off CPU 0: %v", err)
		}
		defer restore()
		pin = "0"
		b.Logf("daemon pinned to CPU 0 with taskset; this process (the generator) to the other CPUs")
	} else {
		b.Logf("daemon NOT pinned (%s): it shares the CPUs with the generator", why)
	}
	rates := ingestRates
	if v := os.Getenv("DISKD_INGEST_RATES"); v != "" {
		rates = nil
		for _, f := range strings.Split(v, ",") {
			r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil {
				b.Fatalf("DISKD_INGEST_RATES %q: %v", v, err)
			}
			rates = append(rates, r)
		}
	}
	for _, sc := range ingestScenarios {
		b.Run(sc.name, func(b *testing.B) { runIngest(b, sc, pin, rates) })
	}
}

// ingestSnap is one reading of the daemon's and the generator's counters.
type ingestSnap struct {
	at        time.Time
	latency   time.Duration // of the status query
	in, own   uint64
	drops     map[string]uint64
	sent      float64 // the generator's count, averaged over the query
	run, wait time.Duration
	rcvbufErr uint64
}

// snapshot reads the counters, trying the status query twice: a saturated
// daemon may time out a query.
func snapshot(d *daemon, g *Gen) (ingestSnap, error) {
	var err error
	for range 2 {
		sent0 := g.Stats().Sent
		t0 := time.Now()
		var st *daemonStatus
		if st, err = d.status(); err != nil {
			continue
		}
		t1 := time.Now()
		s := ingestSnap{at: t0.Add(t1.Sub(t0) / 2), latency: t1.Sub(t0), in: st.Network.DatagramsIn,
			own: st.Network.OwnIn, drops: st.Drops, sent: float64(sent0+g.Stats().Sent) / 2, rcvbufErr: udpRcvbufErrors()}
		s.run, s.wait, err = bed.SchedStat(d.pid())
		return s, err
	}
	return ingestSnap{}, err
}

// ingestStep is what the daemon did between two snapshots, per second.
type ingestStep struct {
	offered, received, kernelDropped, applied, dropped float64
	busy, hostRcvbuf, cpu, wait                        float64
	reasons                                            map[string]float64
}

func between(s0, s1 ingestSnap) ingestStep {
	dt := s1.at.Sub(s0.at).Seconds()
	st := ingestStep{reasons: map[string]float64{}}
	st.offered = (s1.sent - s0.sent) / dt
	st.received = float64((s1.in-s1.own)-(s0.in-s0.own)) / dt
	st.kernelDropped = max(st.offered-st.received, 0)
	for k, v := range s1.drops {
		if dv := float64(v - s0.drops[k]); dv > 0 {
			st.reasons[k] = dv / dt
			st.dropped += dv / dt
		}
	}
	st.busy = st.reasons["busy"]
	st.applied = st.received - st.dropped
	st.hostRcvbuf = float64(s1.rcvbufErr-s0.rcvbufErr) / dt
	st.cpu = (s1.run - s0.run).Seconds() / dt
	st.wait = (s1.wait - s0.wait).Seconds() / dt
	return st
}

func runIngest(b *testing.B, sc ingestScenario, pin string, rates []float64) {
	cfg := Config{Peers: ingestPeers, DisksPerPeer: ingestDisks,
		NodePrefix: "ingest", Mode: sc.mode, Sockets: ingestSockets, Workers: 4, Rate: rates[0],
		Hostile: sc.hostile, MaxDuration: 5 * time.Minute}
	o := daemonOpts{node: "ingest-target", pin: pin}
	if sc.keyed {
		cfg.Key = testKey
		o.keys = []string{base64.StdEncoding.EncodeToString(testKey)}
	}
	d := startDaemon(b, o)
	cfg.Group, cfg.Port = d.group, d.port
	g, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := g.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer g.Stop()
	time.Sleep(ingestWarmup)
	b.Logf("%s: %d peers × %d disks (%d chunks + 1 announce a generation), %d sockets, signed %v, hostile share %.0f%%, load average %s",
		sc.name, ingestPeers, ingestDisks, g.Chunks(), ingestSockets, sc.keyed, 100*sc.hostile, loadAverage())
	b.Logf("%-8s %8s %8s %9s %9s %9s %-19s %9s %7s %5s %6s %5s %7s  %s", "offered", "sent/s", "recv/s", "kernel-/s",
		"rcvbuf/s", "applied/s", "2-s slices p50 [min-max]", "dropped/s", "busy/s", "cpu", "µs/dg", "wait", "status", "drops by reason (/s)")
	var best, lossless float64
	for _, r := range rates {
		if err := g.SetRate(r); err != nil {
			b.Fatal(err)
		}
		time.Sleep(ingestSettle)
		start := time.Now()
		var snaps []ingestSnap
		var lat time.Duration
		for i := 0; i <= ingestSlices; i++ {
			time.Sleep(time.Until(start.Add(time.Duration(i) * ingestSlice)))
			if s, err := snapshot(d, g); err == nil {
				snaps = append(snaps, s)
				lat = max(lat, s.latency)
			} else {
				b.Logf("status during the flood: %v", err)
			}
		}
		label := fmt.Sprintf("%.0fk", r/1000)
		if r == 0 {
			label = "unpaced"
		}
		if len(snaps) < 2 {
			b.Logf("%-8s the daemon did not answer status: no figures", label)
			continue
		}
		st := between(snaps[0], snaps[len(snaps)-1])
		var per []float64
		for i := 1; i < len(snaps); i++ {
			per = append(per, between(snaps[i-1], snaps[i]).applied)
		}
		slices.Sort(per)
		var rs []string
		for _, k := range slices.Sorted(maps.Keys(st.reasons)) {
			rs = append(rs, fmt.Sprintf("%s %.0f", k, st.reasons[k]))
		}
		// µs/dg: the daemon's CPU time per datagram it received, less
		// sensitive to the machine's other load than the rates are.
		b.Logf("%-8s %8.0f %8.0f %9.0f %9.0f %9.0f %-19s %9.0f %7.0f %4.0f%% %6.1f %4.0f%% %7v  %s", label, st.offered,
			st.received, st.kernelDropped, st.hostRcvbuf, st.applied,
			fmt.Sprintf("%.0f [%.0f-%.0f]", per[len(per)/2], per[0], per[len(per)-1]), st.dropped, st.busy,
			100*st.cpu, 1e6*st.cpu/max(st.received, 1), 100*st.wait, lat.Round(time.Millisecond), strings.Join(rs, ", "))
		best = max(best, st.applied)
		if st.kernelDropped < 0.01*st.offered && st.busy == 0 {
			lossless = max(lossless, st.applied)
		}
	}
	gs := g.Stats()
	b.Logf("generator: %d sent, %d hostile %v, %d send errors; load average %s", gs.Sent, gs.Hostile,
		gs.HostileByKind, gs.SendErrors, loadAverage())
	b.Logf("%s: best applied %.0f/s; best applied with < 1%% kernel loss and no busy drops %.0f/s (target ≥ %d/s)",
		sc.name, best, lossless, targetIngest)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(best, "applied-max/s")
	b.ReportMetric(lossless, "applied-lossless/s")
}
