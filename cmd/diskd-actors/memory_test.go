package main

import (
	"runtime/debug"
	"testing"
)

func TestGCPercentFor(t *testing.T) {
	for _, c := range []struct {
		rate    float64
		current int
		want    int
	}{
		{0, gcBusyPercent, gcIdlePercent},
		{65 << 10, gcBusyPercent, gcIdlePercent}, // an idle daemon
		{gcIdleRate * 1.5, gcBusyPercent, gcBusyPercent},
		{gcIdleRate * 1.5, gcIdlePercent, gcIdlePercent}, // hysteresis either way
		{gcIdleRate * 3, gcIdlePercent, gcBusyPercent},
		{100 << 20, gcIdlePercent, gcBusyPercent}, // ingest
	} {
		if got := gcPercentFor(c.rate, c.current); got != c.want {
			t.Errorf("gcPercentFor(%.0f B/s, %d) = %d, want %d", c.rate, c.current, got, c.want)
		}
	}
}

// With GOGC in the environment the pacer leaves the collector alone.
func TestStartGCPacer_respectsGOGC(t *testing.T) {
	t.Setenv("GOGC", "100")
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	startGCPacer()()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC after the pacer = %d, want 100 (untouched)", got)
	}
}
