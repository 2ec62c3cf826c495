package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/test/bed"
)

// Targets of issue 5 for 200 peers × 100 disks.
const (
	scalePeers      = 200
	scaleDisks      = 100
	targetRSSMB     = 64
	targetListMS    = 50
	targetWhereP99  = time.Millisecond
	scaleListRuns   = 20
	scaleWhereRuns  = 1000
	scaleConvergeIn = 2 * time.Minute
)

// BenchmarkScale starts one daemon (built without -race), simulates 200
// peers × 100 disks on lo, waits until the daemon lists all 20,000 remote
// disks, then measures its resident memory, `--json list` end to end (20
// fresh connections, and the client binary once) and `where <label>` over
// 1,000 queries on one connection, beside the commands that split its
// time (measureWhere). The generator keeps announcing every 2s
// throughout, as the peers of a real LAN would. Run it once:
//
//	go test -run '^$' -bench Scale -benchtime 1x -v ./test/loadgen/
func BenchmarkScale(b *testing.B) {
	logMachine(b)
	d := startDaemon(b, daemonOpts{node: "scale-target"})
	cfg := Config{Group: d.group, Port: d.port, Peers: scalePeers, DisksPerPeer: scaleDisks,
		NodePrefix: "scale", Rate: 4000, Sockets: 16, AnnounceEvery: 2 * time.Second, AnswerRequests: true,
		MaxDuration: 10 * time.Minute}
	g, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("generator: %d peers × %d disks = %d chunks + 1 announce each, %d sockets, %.0f datagrams/s",
		scalePeers, scaleDisks, g.Chunks(), cfg.Sockets, cfg.Rate)
	start := time.Now()
	if err := g.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer g.Stop()
	want := scalePeers * scaleDisks
	eventually(b, scaleConvergeIn, "the daemon lists every simulated disk", func() (bool, string) {
		n, total, err := d.remoteDisks("scale-")
		return err == nil && n == scalePeers && total == want,
			fmt.Sprintf("got %d peers with %d disks (%v), want %d with %d", n, total, err, scalePeers, want)
	})
	converged := time.Since(start)
	st := g.Stats()
	b.Logf("converged in %v: %d datagrams sent, %d requests answered with %d resends", converged.Round(time.Millisecond),
		st.Sent, st.Requests, st.Resent)
	time.Sleep(3 * time.Second) // let the start-up garbage be collected
	rss0, hwm0, err := memoryKB(d.pid())
	if err != nil {
		b.Fatal(err)
	}

	list := measureList(b, d, want+1)
	clientTime, clientBytes := clientList(b, d)
	where, session, miss := measureWhere(b, d, g)
	rss1, hwm, err := memoryKB(d.pid())
	if err != nil {
		b.Fatal(err)
	}

	b.Logf("resident memory (VmRSS): %.1f MB after convergence (peak so far %.1f MB), %.1f MB after the queries (peak %.1f MB) (target < %d MB)",
		mb(rss0), mb(hwm0), mb(rss1), mb(hwm), targetRSSMB)
	b.Logf("--json list, raw socket, fresh connection each: %v (target < %d ms)", list, targetListMS)
	b.Logf("--json list, client binary once: %v, %d bytes", clientTime.Round(time.Microsecond), clientBytes)
	b.Logf("where <label>, one connection: %v (target p99 < %v)", where, targetWhereP99)
	b.Logf("  an unknown command on it (socket, session, client): %v", session)
	b.Logf("  a where that matches nothing (+ the hop to Info): %v", miss)
	b.Logf("load average after: %s", loadAverage())
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(mb(max(rss0, rss1)), "rss-MB")
	b.ReportMetric(mb(hwm), "peak-rss-MB")
	b.ReportMetric(converged.Seconds(), "converge-s")
	b.ReportMetric(ms(list.pct(50)), "list-p50-ms")
	b.ReportMetric(us(where.pct(50)), "where-p50-µs")
	b.ReportMetric(us(where.pct(99)), "where-p99-µs")
	b.ReportMetric(us(session.pct(99)), "session-p99-µs")
	b.ReportMetric(us(miss.pct(99)), "where-miss-p99-µs")
	if mb(max(rss0, rss1)) >= targetRSSMB || list.pct(50) > targetListMS*time.Millisecond || where.pct(99) > targetWhereP99 {
		b.Logf("a target is missed: see the figures above")
	}
}

// mb converts KiB to MB (10^6 bytes), the unit of the target.
func mb(kib int) float64 { return float64(kib) * 1024 / 1e6 }

// measureList times `list --json` end to end over a fresh raw connection
// each run (connect, greeting, command, the whole answer up to its status
// line) and checks the disk count outside the timing.
func measureList(b *testing.B, d *daemon, want int) durations {
	b.Helper()
	var out durations
	for range scaleListRuns {
		t0 := time.Now()
		c, err := d.dialRaw()
		if err != nil {
			b.Fatal(err)
		}
		a, err := c.Do("list --json")
		el := time.Since(t0)
		c.Close()
		if err != nil || !a.OK() || len(a.Lines) != 1 {
			b.Fatalf("list --json: got %+v, %v; want 1 line and .ok", a, err)
		}
		var disks []json.RawMessage
		if err := json.Unmarshal([]byte(a.Lines[0]), &disks); err != nil || len(disks) != want {
			b.Fatalf("list --json: got %d disks (%v), want %d", len(disks), err, want)
		}
		out = append(out, el)
	}
	return out
}

// clientList runs the client binary once, as a user would.
func clientList(b *testing.B, d *daemon) (time.Duration, int) {
	b.Helper()
	t0 := time.Now()
	out, errs, code, err := d.Client("--json", "list")
	el := time.Since(t0)
	if err != nil || code != 0 {
		b.Fatalf("client --json list: exit %d, %v: %s", code, err, errs)
	}
	return el, len(out)
}

// measureWhere times `where <label>` for random simulated disks on one
// persistent connection; between two wheres, on the same connection, it
// times the two commands that split a where's round trip: one the session
// answers by itself (an unknown command: socket, session and client) and
// a where that matches nothing (the same, plus the actor hop to Info and
// two index lookups). A where of a disk adds Info's copy of the match and
// the rendering of its table.
func measureWhere(b *testing.B, d *daemon, g *Gen) (where, session, miss durations) {
	b.Helper()
	c, err := d.dialRaw()
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	rng := rand.New(rand.NewPCG(5, 5))
	timed := func(out *durations, cmd string, ok func(a *bed.Answer) bool) {
		t0 := time.Now()
		a, err := c.Do(cmd)
		el := time.Since(t0)
		if err != nil || !ok(a) {
			b.Fatalf("%s: got %+v %v", cmd, a, err)
		}
		*out = append(*out, el)
	}
	for i := range scaleWhereRuns {
		p, k := rng.IntN(scalePeers), rng.IntN(scaleDisks)
		timed(&where, "where "+g.Label(p, k), func(a *bed.Answer) bool {
			return a.OK() && len(a.Lines) >= 2 && strings.Contains(a.Lines[1], g.Node(p))
		})
		timed(&session, "no-such-command", func(a *bed.Answer) bool { return a.Code() == "unknown-command" })
		timed(&miss, fmt.Sprintf("where no-such-disk-%d", i), func(a *bed.Answer) bool { return a.Code() == "not-found" })
	}
	return where, session, miss
}
