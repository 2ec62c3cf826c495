package uevent

import (
	"testing"
	"time"
)

// A burst (events closer than Quiet) is one rescan, Quiet after its last
// event; an event after the rescan starts a new burst.
func TestDebouncer_BurstIsOneRescan(t *testing.T) {
	t0 := time.Unix(1000, 0)
	d := &Debouncer{Quiet: 100 * time.Millisecond, Max: time.Second}
	if d.Fire(t0) || d.Pending() || !d.Due().IsZero() {
		t.Fatal("no events: a rescan is due")
	}
	rescans := 0
	for i := range 5 { // add disk, add 3 partitions, change: 20ms apart
		now := t0.Add(time.Duration(i) * 20 * time.Millisecond)
		d.Event(now)
		if d.Fire(now) {
			rescans++
		}
	}
	if want := t0.Add(180 * time.Millisecond); !d.Due().Equal(want) {
		t.Errorf("due %v, want %v (Quiet after the last event)", d.Due(), want)
	}
	if d.Fire(t0.Add(179 * time.Millisecond)) {
		rescans++
	}
	if d.Fire(t0.Add(180 * time.Millisecond)) {
		rescans++
	}
	if rescans != 1 || d.Pending() {
		t.Errorf("got %d rescans (pending %v), want 1", rescans, d.Pending())
	}
	d.Event(t0.Add(time.Second))
	if !d.Pending() || !d.Fire(t0.Add(1100*time.Millisecond)) {
		t.Error("an event after the rescan: no second rescan")
	}
}

// Events that never stop still get a rescan Max after the first.
func TestDebouncer_MaxBoundsAnEndlessBurst(t *testing.T) {
	t0 := time.Unix(1000, 0)
	d := &Debouncer{Quiet: 100 * time.Millisecond, Max: 300 * time.Millisecond}
	fired := time.Time{}
	for i := range 20 {
		now := t0.Add(time.Duration(i) * 50 * time.Millisecond)
		d.Event(now)
		if fired.IsZero() && d.Fire(now) {
			fired = now
		}
	}
	if !fired.Equal(t0.Add(300 * time.Millisecond)) {
		t.Errorf("first rescan at %v, want %v", fired.Sub(t0), 300*time.Millisecond)
	}
}
