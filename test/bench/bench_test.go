package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/test/bed"
)

func TestMain(m *testing.M) { bed.Main(m) }

// scale holds the sizes of every benchmark, full or short.
type scale struct {
	name string

	latencyHosts, latencyChanges int

	convHosts           []int
	convDisks, convRuns int

	idleHosts  int
	idleWindow time.Duration
	idleFast   bool // also measure the config.Fast timers

	bwBig, bwSmall, bwIntervals int
	bwAnnounce                  time.Duration

	partHosts, partRounds int
	partAnnounce          time.Duration
	partTimeout           time.Duration

	clients, clientRounds, clientDisks int

	liveHosts, liveRounds int
	liveAnnounce          time.Duration
	liveTimeout           time.Duration

	hotplugAttachments int
}

var (
	full = scale{name: "full",
		latencyHosts: 10, latencyChanges: 200,
		convHosts: []int{10, 50}, convDisks: 2, convRuns: 5,
		idleHosts: 4, idleWindow: 60 * time.Second, idleFast: true,
		bwBig: 1000, bwSmall: 10, bwIntervals: 30, bwAnnounce: time.Second,
		partHosts: 4, partRounds: 10, partAnnounce: 500 * time.Millisecond, partTimeout: 2 * time.Second,
		clients: 1000, clientRounds: 5, clientDisks: 100,
		liveHosts: 4, liveRounds: 10, liveAnnounce: 500 * time.Millisecond, liveTimeout: 2 * time.Second,
		hotplugAttachments: 20,
	}
	short = scale{name: "short",
		latencyHosts: 3, latencyChanges: 5,
		convHosts: []int{3}, convDisks: 2, convRuns: 1,
		idleHosts: 3, idleWindow: 5 * time.Second,
		bwBig: 100, bwSmall: 10, bwIntervals: 3, bwAnnounce: 250 * time.Millisecond,
		partHosts: 3, partRounds: 1, partAnnounce: 250 * time.Millisecond, partTimeout: time.Second,
		clients: 20, clientRounds: 1, clientDisks: 10,
		liveHosts: 3, liveRounds: 1, liveAnnounce: 250 * time.Millisecond, liveTimeout: time.Second,
		hotplugAttachments: 3,
	}
)

// sizes returns the scale DISKD_BENCH asks for, or skips the test when it
// is not set: the benchmarks never run in a plain `go test ./...`.
func sizes(t *testing.T) scale {
	t.Helper()
	switch v := os.Getenv("DISKD_BENCH"); v {
	case "":
		t.Skip("benchmark: set DISKD_BENCH=full (the figures) or DISKD_BENCH=short (tiny sizes, for CI)")
	case "full", "1":
		printMachine.Do(func() { fmt.Print(machine()) })
		loadBefore = loadavg()
		return full
	case "short":
		printMachine.Do(func() { fmt.Print(machine()) })
		loadBefore = loadavg()
		return short
	default:
		t.Fatalf("DISKD_BENCH=%q, want full or short", v)
	}
	return scale{}
}

var (
	printMachine sync.Once
	// loadBefore is the load average when the running benchmark started
	// (they run one at a time): the load of other work on the machine.
	loadBefore string
)

// machine describes where the benchmarks run: CPUs, memory, Go, kernel
// and the commit of the working tree (with "+dirty" for uncommitted
// changes).
func machine() string {
	mem := "?"
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 2 && f[0] == "MemTotal:" {
			if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil {
				mem = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
			}
		}
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	commit := "?"
	if out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		commit = strings.TrimSpace(string(out))
		if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
			commit += "+dirty"
		}
	}
	return fmt.Sprintf("MACHINE cpus=%d mem=%s go=%s kernel=%s commit=%s load=%s\n",
		runtime.NumCPU(), mem, runtime.Version(), strings.TrimSpace(string(kernel)), commit, loadavg())
}

// loadavg is the 1, 5 and 15 minute load averages of the machine.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], "/")
	}
	return "?"
}

// mode is the bed mode of the benchmarks that can run anywhere:
// DISKD_BED_MODE, lo by default.
func mode(t *testing.T) bed.Mode {
	t.Helper()
	switch m := bed.Mode(os.Getenv("DISKD_BED_MODE")); m {
	case "", bed.Lo:
		return bed.Lo
	case bed.Netns:
		return bed.Netns
	default:
		t.Fatalf("DISKD_BED_MODE=%q, want lo or netns", m)
	}
	return ""
}

// report prints a benchmark's figures as a block, and appends them as one
// JSON line to DISKD_BENCH_OUT when it is set.
func report(t *testing.T, sc scale, name string, params string, figures []figure) {
	t.Helper()
	var b strings.Builder
	params += " load(1/5/15min) before=" + loadBefore + " after=" + loadavg()
	fmt.Fprintf(&b, "BENCH %s [%s] %s\n", name, sc.name, params)
	for _, f := range figures {
		fmt.Fprintf(&b, "  %-34s %-58s %s\n", f.What, f.Value, f.Target)
	}
	fmt.Print(b.String())
	out := os.Getenv("DISKD_BENCH_OUT")
	if out == "" {
		return
	}
	line, err := json.Marshal(map[string]any{"bench": name, "scale": sc.name, "params": params,
		"figures": figures, "at": time.Now().UTC().Format(time.RFC3339), "go": runtime.Version(),
		"cpus": runtime.NumCPU()})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(append(line, '\n')); err != nil {
		t.Fatal(err)
	}
}

// figure is one measured value with its target (or "" when none).
type figure struct {
	What   string `json:"what"`
	Value  string `json:"value"`
	Target string `json:"target,omitempty"`
}

// verdict writes "target X: met" or "target X: MISSED".
func verdict(target string, met bool) string {
	if met {
		return "target " + target + ": met"
	}
	return "target " + target + ": MISSED"
}

// converge waits until every host of b lists every disk.
func converge(t *testing.T, b *bed.Bed, timeout time.Duration) {
	t.Helper()
	if _, err := b.WaitConverged(context.Background(), 0, timeout); err != nil {
		t.Fatal(err)
	}
}

// dialAll opens one session per host, closed at the end of the test.
func dialAll(t *testing.T, b *bed.Bed) []*bed.Conn {
	t.Helper()
	conns := make([]*bed.Conn, len(b.Hosts))
	for i, h := range b.Hosts {
		c, err := h.Dial()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		conns[i] = c
	}
	return conns
}

func pct(part, whole time.Duration) float64 {
	if whole <= 0 {
		return 0
	}
	return 100 * float64(part) / float64(whole)
}

// mb formats bytes in (decimal) megabytes, the unit of the targets.
func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }

// TestSummarize checks the percentile arithmetic the reports rely on; it
// runs in every `go test`.
func TestSummarize(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	s := Summarize(ds)
	if s.N != 100 || s.Min != time.Millisecond || s.Max != 100*time.Millisecond ||
		s.P50 != 50*time.Millisecond || s.P99 != 99*time.Millisecond || s.P90 != 90*time.Millisecond {
		t.Errorf("Summarize(1..100ms) = %+v, want n=100 min=1ms p50=50ms p90=90ms p99=99ms max=100ms", s)
	}
	if got := Summarize(nil); got.N != 0 {
		t.Errorf("Summarize(nil).N = %d, want 0", got.N)
	}
	if got := Summarize([]time.Duration{7}).P99; got != 7 {
		t.Errorf("p99 of one value 7ns = %v, want 7ns", got)
	}
}
