package statefile

import (
	"testing"
	"time"
)

// NewPacer keeps the durations given and replaces zero and negative ones
// with DefaultPacing's.
func TestNewPacer_durations(t *testing.T) {
	given := Pacing{Quiet: 1, MaxDelay: 2, MinInterval: 3, Lazy: 4, First: 5, Retry: 6}
	cases := []struct {
		name string
		in   Pacing
		want Pacing
	}{
		{"zero", Pacing{}, DefaultPacing},
		{"negative", Pacing{Quiet: -1, MaxDelay: -1, MinInterval: -1, Lazy: -1, First: -1, Retry: -1}, DefaultPacing},
		{"given", given, given},
		{"some", Pacing{Quiet: 7, Retry: 8}, Pacing{Quiet: 7, MaxDelay: DefaultPacing.MaxDelay, MinInterval: DefaultPacing.MinInterval,
			Lazy: DefaultPacing.Lazy, First: DefaultPacing.First, Retry: 8}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := NewPacer(c.in).p; got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

// step is one call on a Pacer, at t0 plus at.
type step struct {
	op          string // "change", "lazy" (a last-seen-only change), "begin", "fail", "failLazy"
	at          time.Duration
	significant bool // want, for "begin"
}

// The save schedule over sequences of changes, saves and failures, with
// small pacing values so the arithmetic is plain.
func TestPacer_schedule(t *testing.T) {
	p := Pacing{Quiet: 2 * time.Second, MaxDelay: 10 * time.Second, MinInterval: 5 * time.Second,
		Lazy: time.Minute, First: time.Second, Retry: 30 * time.Second}
	cases := []struct {
		name   string
		steps  []step
		due    time.Duration // from t0
		wantOK bool
	}{
		{"first significant change", []step{{op: "change"}}, time.Second, true},
		{"first save capped at MaxDelay/5", []step{{op: "change"}, {op: "change", at: 1500 * time.Millisecond}}, 2 * time.Second, true},
		{"first change lazy", []step{{op: "lazy", at: time.Second}}, time.Second + time.Minute, true},
		{"lazy then significant", []step{{op: "lazy"}, {op: "change", at: 100 * time.Millisecond}}, 1100 * time.Millisecond, true},
		{"significant then lazy stays significant", []step{{op: "change"}, {op: "lazy", at: 100 * time.Millisecond}}, 1100 * time.Millisecond, true},
		{"quiet after a save", []step{{op: "change"}, {op: "begin", at: time.Second, significant: true}, {op: "change", at: 20 * time.Second}}, 22 * time.Second, true},
		{"MaxDelay under continuous change", []step{{op: "change"}, {op: "begin", at: time.Second, significant: true},
			{op: "change", at: 20 * time.Second}, {op: "change", at: 21 * time.Second}, {op: "change", at: 29 * time.Second}}, 30 * time.Second, true},
		{"MinInterval after the last save began", []step{{op: "change"}, {op: "begin", at: time.Second, significant: true},
			{op: "change", at: 2 * time.Second}}, 6 * time.Second, true},
		{"lazy after a save", []step{{op: "change"}, {op: "begin", at: time.Second, significant: true}, {op: "lazy", at: 20 * time.Second}}, 80 * time.Second, true},
		{"nothing after the save", []step{{op: "change"}, {op: "begin", at: time.Second, significant: true}}, 0, false},
		{"a save of lazy changes only", []step{{op: "lazy"}, {op: "begin", at: time.Minute, significant: false}}, 0, false},
		{"failure retried after Retry", []step{{op: "change"}, {op: "begin", at: time.Second, significant: true}, {op: "fail", at: 2 * time.Second}}, 32 * time.Second, true},
		{"failed lazy save waits for the later of Lazy and Retry", []step{{op: "lazy"}, {op: "begin", at: time.Minute},
			{op: "failLazy", at: 61 * time.Second}}, 121 * time.Second, true},
		{"a change during the failed save keeps the retry", []step{{op: "change"}, {op: "begin", at: time.Second, significant: true},
			{op: "change", at: 1500 * time.Millisecond}, {op: "fail", at: 2 * time.Second}}, 32 * time.Second, true},
		{"after the retry succeeded, pacing is normal again", []step{{op: "change"}, {op: "begin", at: time.Second, significant: true},
			{op: "fail", at: 2 * time.Second}, {op: "begin", at: 32 * time.Second, significant: true}, {op: "change", at: 100 * time.Second}}, 102 * time.Second, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pc := NewPacer(p)
			var lastSig bool
			for _, s := range c.steps {
				now := t0.Add(s.at)
				switch s.op {
				case "change":
					pc.Changed(now, true)
				case "lazy":
					pc.Changed(now, false)
				case "begin":
					if lastSig = pc.Begin(now); lastSig != s.significant {
						t.Errorf("Begin at %v: got significant %v, want %v", s.at, lastSig, s.significant)
					}
				case "fail":
					pc.Failed(now, lastSig)
				case "failLazy":
					pc.Failed(now, false)
				}
			}
			due, ok := pc.Due()
			if ok != c.wantOK || (ok && !due.Equal(t0.Add(c.due))) {
				t.Errorf("Due: got %v, %v, want %v, %v", due.Sub(t0), ok, c.due, c.wantOK)
			}
		})
	}
}

// Begin hands over what is unsaved: the next Begin without a change in
// between has nothing significant.
func TestPacer_BeginTakesTheChanges(t *testing.T) {
	pc := NewPacer(Pacing{})
	pc.Changed(t0, true)
	if got := pc.Begin(t0); !got {
		t.Errorf("first Begin: got significant %v, want true", got)
	}
	if got := pc.Begin(t0.Add(time.Second)); got {
		t.Errorf("second Begin with no change: got significant %v, want false", got)
	}
	pc.Failed(t0.Add(2*time.Second), true)
	if got := pc.Begin(t0.Add(time.Minute)); !got {
		t.Errorf("Begin after a failed significant save: got %v, want true (the changes are unsaved again)", got)
	}
}
