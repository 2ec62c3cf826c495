package actors

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
)

// The web page's questions to Info at the scale of
// BenchmarkInfo_Where200x100With100kSightings: 200 live peers × 100 disks
// and 100,000 last-seen records. A search scans all of them (substrings
// have no index): these give its cost per keystroke. docs/benchmarks.md.

func webBenchDaemon(b *testing.B) *Daemon {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	dm := benchDaemon(b, clock, nil)
	for gen := 1; gen <= 6; gen++ {
		for p := range 200 {
			node := fmt.Sprintf("peer%03d", p)
			announce(dm, clock, node, uint64(gen), benchDisks(node, gen, 100))
		}
		clock.advance(time.Second)
	}
	if st := ask[*messages.Status](b, dm, &messages.GetStatus{}); st.Limits.Disks != 20000 || st.Limits.Sightings != 100000 {
		b.Fatalf("setup: %+v", st.Limits)
	}
	return dm
}

func p99(lat []time.Duration) float64 {
	slices.Sort(lat)
	return float64(lat[len(lat)*99/100].Microseconds())
}

func BenchmarkInfo_Search200x100With100kSightings(b *testing.B) {
	dm := webBenchDaemon(b)
	// Many matches (cut at 50), a few, none: the scan is the same.
	queries := []string{"g6 d7", "peer199 g2 d9", "nothing"}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		ask[*messages.SearchResult](b, dm, &messages.Search{Query: queries[i%len(queries)], Limit: 50})
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	b.ReportMetric(p99(lat), "p99-µs")
}

func BenchmarkInfo_Hosts200x100With100kSightings(b *testing.B) {
	dm := webBenchDaemon(b)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		h := ask[*messages.Hosts](b, dm, &messages.GetHosts{MaxDisks: messages.MaxHostsDisks})
		lat = append(lat, time.Since(t0))
		if len(h.Hosts) != 201 || h.DisksLeftOut == 0 {
			b.Fatalf("hosts %d, left out %d", len(h.Hosts), h.DisksLeftOut)
		}
	}
	b.StopTimer()
	b.ReportMetric(p99(lat), "p99-µs")
}
