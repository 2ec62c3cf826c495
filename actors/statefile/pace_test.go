package statefile

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func TestPacer_NothingChangedNothingSaved(t *testing.T) {
	pc := NewPacer(Pacing{})
	if due, ok := pc.Due(); ok {
		t.Fatalf("got due %v, want no save", due)
	}
	pc.Changed(t0, true)
	pc.Begin(t0.Add(time.Second))
	if due, ok := pc.Due(); ok {
		t.Fatalf("after the save: got due %v, want no save", due)
	}
}

func TestPacer_FirstSaveSoon(t *testing.T) {
	pc := NewPacer(Pacing{})
	pc.Changed(t0, true)
	if due, _ := pc.Due(); !due.Equal(t0.Add(250 * time.Millisecond)) {
		t.Errorf("one change: got %v, want t0+250ms", due.Sub(t0))
	}
	// A burst at start (peers announcing) still saves soon.
	for i := range 20 {
		pc.Changed(t0.Add(time.Duration(i)*100*time.Millisecond), true)
	}
	if due, _ := pc.Due(); !due.Equal(t0.Add(DefaultPacing.MaxDelay / 5)) {
		t.Errorf("burst: got %v, want t0+%v", due.Sub(t0), DefaultPacing.MaxDelay/5)
	}
}

// TestPacer_ContinuousChange: changes every 300 ms for ten minutes; saves
// come at least MinInterval and at most MaxDelay apart (plus two steps:
// the first change after a save, and the sampling).
func TestPacer_ContinuousChange(t *testing.T) {
	pc := NewPacer(Pacing{})
	const step = 300 * time.Millisecond
	var saves []time.Time
	for now := t0; now.Before(t0.Add(10 * time.Minute)); now = now.Add(step) {
		pc.Changed(now, true)
		if due, ok := pc.Due(); ok && !now.Before(due) {
			pc.Begin(now)
			saves = append(saves, now)
		}
	}
	if want := int(10 * time.Minute / DefaultPacing.MaxDelay); len(saves) < want*8/10 {
		t.Fatalf("got %d saves in 10 minutes, want about %d", len(saves), want)
	}
	for i := 1; i < len(saves); i++ {
		gap := saves[i].Sub(saves[i-1])
		if gap < DefaultPacing.MinInterval || gap > DefaultPacing.MaxDelay+2*step {
			t.Fatalf("save %d: %v after the previous, want %v to %v", i, gap, DefaultPacing.MinInterval, DefaultPacing.MaxDelay+2*step)
		}
	}
}

func TestPacer_DebounceAndRate(t *testing.T) {
	pc := NewPacer(Pacing{})
	pc.Changed(t0, true)
	pc.Begin(t0.Add(time.Second))
	pc.Changed(t0.Add(10*time.Second), true)
	if due, _ := pc.Due(); !due.Equal(t0.Add(11 * time.Second)) {
		t.Errorf("quiet: got %v, want t0+11s (1 s of quiet)", due.Sub(t0))
	}
	pc.Begin(t0.Add(11 * time.Second))
	pc.Changed(t0.Add(12*time.Second), true)
	if due, _ := pc.Due(); !due.Equal(t0.Add(11*time.Second + DefaultPacing.MinInterval)) {
		t.Errorf("rate: got %v, want MinInterval after the last save began", due.Sub(t0))
	}
}

func TestPacer_LastSeenOnlyIsLazy(t *testing.T) {
	pc := NewPacer(Pacing{})
	pc.Changed(t0, true)
	pc.Begin(t0)
	for i := 1; i <= 9; i++ { // a minute's last-seen updates, nine times
		pc.Changed(t0.Add(time.Duration(i)*time.Minute), false)
		if due, _ := pc.Due(); !due.Equal(t0.Add(11 * time.Minute)) {
			t.Fatalf("minute %d: got due %v, want t0+11m", i, due.Sub(t0))
		}
	}
	pc.Changed(t0.Add(9*time.Minute+time.Second), true)
	if due, _ := pc.Due(); due.After(t0.Add(9*time.Minute + 2*time.Second)) {
		t.Errorf("then a significant change: got due %v, want within 1 s", due.Sub(t0))
	}
}

func TestPacer_FailedIsRetried(t *testing.T) {
	pc := NewPacer(Pacing{})
	pc.Changed(t0, true)
	sig := pc.Begin(t0.Add(time.Second))
	pc.Failed(t0.Add(2*time.Second), sig)
	due, ok := pc.Due()
	if !ok || !due.Equal(t0.Add(32*time.Second)) {
		t.Errorf("got %v, %v, want a retry at t0+32s", due.Sub(t0), ok)
	}
}
