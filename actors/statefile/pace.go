package statefile

import "time"

// Pacing decides when to save: only after a change, debounced, with a
// maximum delay under continuous change, and never more often than
// MinInterval. Changes of last-seen times alone wait Lazy, so an idle
// daemon does not rewrite its file every minute for them. The zero values
// of a Pacer's durations are replaced by DefaultPacing's.
type Pacing struct {
	Quiet       time.Duration // a significant change is saved once changes pause this long...
	MaxDelay    time.Duration // ...or at the latest this long after the first unsaved one
	MinInterval time.Duration // between the starts of two saves
	Lazy        time.Duration // last-seen-only changes are saved this long after the first
	First       time.Duration // the first save after start waits this long for quiet
	Retry       time.Duration // after a failed save
}

// DefaultPacing: significant changes saved within 1–3 s (the first one
// within 250 ms–600 ms of start), last-seen times within 10 minutes, at
// most one save every 3 s, a failed save retried after 30 s.
var DefaultPacing = Pacing{
	Quiet: time.Second, MaxDelay: 3 * time.Second, MinInterval: 3 * time.Second,
	Lazy: 10 * time.Minute, First: 250 * time.Millisecond, Retry: 30 * time.Second,
}

// Pacer holds the pacing state of one state file. It takes the time as an
// argument and has no timers: the caller arms one for Due.
type Pacer struct {
	p           Pacing
	dirty       bool // something changed that no save has begun to write
	significant bool // ... and it was more than last-seen times
	first, last time.Time
	saves       int       // saves begun
	lastBegin   time.Time // start of the last save
	retryAt     time.Time // no save before, after a failure
}

// NewPacer returns a pacer with p's durations (zero ones from
// DefaultPacing).
func NewPacer(p Pacing) *Pacer {
	d := DefaultPacing
	for _, f := range []struct{ v, def *time.Duration }{
		{&p.Quiet, &d.Quiet}, {&p.MaxDelay, &d.MaxDelay}, {&p.MinInterval, &d.MinInterval},
		{&p.Lazy, &d.Lazy}, {&p.First, &d.First}, {&p.Retry, &d.Retry},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	return &Pacer{p: p}
}

// Changed records a change at now.
func (pc *Pacer) Changed(now time.Time, significant bool) {
	if !pc.dirty {
		pc.first = now
	}
	pc.dirty, pc.last = true, now
	pc.significant = pc.significant || significant
}

// Due is when the next save should begin; ok is false when nothing is to
// be saved.
func (pc *Pacer) Due() (due time.Time, ok bool) {
	if !pc.dirty {
		return time.Time{}, false
	}
	switch {
	case !pc.significant:
		due = pc.first.Add(pc.p.Lazy)
	case pc.saves == 0:
		due = earliest(pc.last.Add(pc.p.First), pc.first.Add(pc.p.MaxDelay/5))
	default:
		due = earliest(pc.last.Add(pc.p.Quiet), pc.first.Add(pc.p.MaxDelay))
	}
	if pc.saves > 0 {
		due = latest(due, pc.lastBegin.Add(pc.p.MinInterval))
	}
	return latest(due, pc.retryAt), true
}

// Begin records that a save starts at now: what changed so far is in it.
// It returns whether that was significant, for Failed.
func (pc *Pacer) Begin(now time.Time) (significant bool) {
	significant = pc.significant
	pc.dirty, pc.significant = false, false
	pc.saves++
	pc.lastBegin = now
	return significant
}

// Failed records that a save failed at now: its changes are unsaved again
// and retried no sooner than Retry.
func (pc *Pacer) Failed(now time.Time, significant bool) {
	pc.Changed(now, significant)
	pc.retryAt = now.Add(pc.p.Retry)
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
