package main

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// The collector's pace. Go's default (GOGC 100) lets the heap grow to at
// least 4 MB before collecting; an idle daemon keeps 0.7 MB live, makes
// about 65 KB/s of garbage (interface checks, mount table reads) and so
// holds up to 4 MB of it, a quarter of its resident memory. While the
// daemon allocates little, a lower GOGC keeps the heap near what is live
// at no cost worth counting (a collection of a 1 MB heap every few
// seconds); as soon as it allocates fast (ingest, a mass start, big
// inventories) it runs at Go's default, so busy work pays nothing more.
const (
	gcIdlePercent = 25  // GOGC while idle: a 1 MB minimum heap goal
	gcBusyPercent = 100 // Go's default
	// Below gcIdleRate (bytes allocated per second) the daemon is idle;
	// above twice that it is busy; in between it keeps its pace.
	gcIdleRate   = 256 << 10
	gcTunePeriod = 2 * time.Second
)

// gcPercentFor is the GOGC for an allocation rate (bytes/s), given the
// current one.
func gcPercentFor(rate float64, current int) int {
	switch {
	case rate < gcIdleRate:
		return gcIdlePercent
	case rate > 2*gcIdleRate:
		return gcBusyPercent
	default:
		return current
	}
}

// startGCPacer sets the collector's pace from the allocation rate every
// gcTunePeriod, unless GOGC is set in the environment (then the user's
// setting stands). It starts busy. stop ends it and waits.
func startGCPacer() (stop func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sample := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
		read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
		current, last, at := gcBusyPercent, read(), time.Now()
		tk := time.NewTicker(gcTunePeriod)
		defer tk.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-tk.C:
				n := read()
				rate := float64(n-last) / now.Sub(at).Seconds()
				last, at = n, now
				if p := gcPercentFor(rate, current); p != current {
					debug.SetGCPercent(p)
					current = p
					if p == gcIdlePercent {
						// Busy work (the start, above all) left its garbage
						// below the idle goal, where nothing collects it for
						// minutes: collect it once and return it.
						debug.FreeOSMemory()
					}
				}
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
