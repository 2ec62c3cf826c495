// Package bench holds the benchmarks of diskd-actors: real daemon
// processes on a test bed (test/bed), measured from outside through their
// sockets and /proc. Each benchmark is a Test function that runs only when
// DISKD_BENCH is set, so `go test ./...` skips them:
//
//	DISKD_BENCH=full  go test -v -count=1 -timeout 30m ./test/bench   # the figures in docs/benchmarks.md
//	DISKD_BENCH=short go test -v -count=1 ./test/bench                # tiny sizes: checks they complete (CI)
//
// Select one with -run (TestBenchLatency, TestBenchConvergence,
// TestBenchIdle, TestBenchBandwidth, TestBenchPartition, TestBenchClients,
// TestBenchEfficiency, TestBenchLoss).
// DISKD_BED_MODE=netns runs the lo benchmarks in network namespaces
// instead (root); TestBenchPartition and TestBenchLoss always need netns
// (TestBenchLoss also nft) and skip otherwise; TestBenchEfficiency runs on
// lo only. DISKD_BENCH_ANNOUNCE sets announce.interval of the last two.
// DISKD_BENCH_OUT=FILE appends each result as a JSON line.
//
// The benchmarks print their figures and the targets beside them; they
// fail only when something does not work (a change never arrives, a
// client gets an error), never because a figure misses its target.
package bench

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Summary is the spread of a set of durations.
type Summary struct {
	N                       int
	Min, P50, P90, P99, Max time.Duration
	Mean                    time.Duration
}

// Summarize sorts a copy of ds and returns its order statistics
// (nearest-rank percentiles). An empty set gives a zero Summary.
func Summarize(ds []time.Duration) Summary {
	if len(ds) == 0 {
		return Summary{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return Summary{N: len(s), Min: s[0], Max: s[len(s)-1], P50: Percentile(s, 0.50),
		P90: Percentile(s, 0.90), P99: Percentile(s, 0.99), Mean: sum / time.Duration(len(s))}
}

// Percentile returns the nearest-rank q-quantile (0 < q ≤ 1) of sorted.
func Percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func (s Summary) String() string {
	return fmt.Sprintf("n=%d p50=%v p90=%v p99=%v min=%v max=%v", s.N, r(s.P50), r(s.P90), r(s.P99), r(s.Min), r(s.Max))
}

// r rounds a duration for display: 3 significant digits or so.
func r(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= 100*time.Millisecond:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	default:
		return d.Round(time.Microsecond)
	}
}
