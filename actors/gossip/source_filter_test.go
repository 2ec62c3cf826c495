package gossip

import (
	"fmt"
	"testing"
	"time"
)

// The filter lets a source through up to twice the engine's burst and
// rate, refuses and counts the rest, refills with time, forgets quiet
// sources and stays bounded.
func TestSourceFilter(t *testing.T) {
	c := Config{SourceRate: 100, SourceBurst: 10, MaxSources: 8}
	f := NewSourceFilter(c)
	t0 := time.Unix(1000, 0)
	passed := 0
	for range 100 {
		if f.Allow("10.0.0.1:1", t0) {
			passed++
		}
	}
	if passed != FilterFactor*10 {
		t.Errorf("a burst of 100 at once: %d passed, want %d (twice the engine's burst)", passed, FilterFactor*10)
	}
	if st := f.Stats(); st.Refused != uint64(100-passed) || st.Sources != 1 {
		t.Errorf("stats %+v, want %d refused from 1 source", st, 100-passed)
	}
	// 100 ms later, at twice 100/s: 20 more tokens.
	passed = 0
	for range 100 {
		if f.Allow("10.0.0.1:1", t0.Add(100*time.Millisecond)) {
			passed++
		}
	}
	if passed != 20 {
		t.Errorf("after 100 ms: %d passed, want 20", passed)
	}
	if !f.Allow("10.0.0.2:1", t0.Add(100*time.Millisecond)) {
		t.Error("another source is refused")
	}
	for i := range 20 {
		f.Allow(fmt.Sprintf("10.0.1.%d:1", i), t0.Add(200*time.Millisecond))
	}
	if st := f.Stats(); st.Sources > 8 || st.Evicted == 0 {
		t.Errorf("20 new sources in a table of 8: %+v", st)
	}
	// Two seconds of quiet: every bucket has refilled and is forgotten.
	f.Allow("10.0.0.3:1", t0.Add(3*time.Second))
	if st := f.Stats(); st.Sources != 1 {
		t.Errorf("after quiet, %d sources held, want 1", st.Sources)
	}
}
