package transport

import (
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"
)

func TestOptions(t *testing.T) {
	clock := func() time.Time { return time.Unix(42, 0) }
	h := NewHealth()
	l := slog.New(slog.DiscardHandler)
	apply := func(opts ...Option) options {
		o := defaultOptions()
		for _, f := range opts {
			f(&o)
		}
		return o
	}
	def := apply()
	for _, c := range []struct {
		name  string
		o     options
		check func(options) (got, want any)
	}{
		{"default interval", def, func(o options) (any, any) { return o.interval, DefaultCheckInterval }},
		{"netlink backstop by default", def, func(o options) (any, any) { return o.backstop, DefaultNetlinkCheckInterval }},
		{"WithCheckInterval sets the backstop too", apply(WithCheckInterval(5 * time.Millisecond)), func(o options) (any, any) { return o.backstop, 5 * time.Millisecond }},
		{"WithCheckInterval(0) keeps the backstop", apply(WithCheckInterval(0)), func(o options) (any, any) { return o.backstop, DefaultNetlinkCheckInterval }},
		{"netlink on by default", def, func(o options) (any, any) { return o.netlink, true }},
		{"a health by default", def, func(o options) (any, any) { return o.health != nil, true }},
		{"a logger by default", def, func(o options) (any, any) { return o.log != nil, true }},
		{"WithCheckInterval", apply(WithCheckInterval(5 * time.Millisecond)), func(o options) (any, any) { return o.interval, 5 * time.Millisecond }},
		{"WithCheckInterval(0) keeps the default", apply(WithCheckInterval(0)), func(o options) (any, any) { return o.interval, DefaultCheckInterval }},
		{"WithCheckInterval(<0) keeps the default", apply(WithCheckInterval(-time.Second)), func(o options) (any, any) { return o.interval, DefaultCheckInterval }},
		{"WithoutNetlink", apply(WithoutNetlink()), func(o options) (any, any) { return o.netlink, false }},
		{"WithHealth", apply(WithHealth(h)), func(o options) (any, any) { return o.health == h, true }},
		{"WithHealth(nil) keeps one", apply(WithHealth(nil)), func(o options) (any, any) { return o.health != nil, true }},
		{"WithLogger", apply(WithLogger(l)), func(o options) (any, any) { return o.log == l, true }},
		{"WithLogger(nil) keeps one", apply(WithLogger(nil)), func(o options) (any, any) { return o.log != nil, true }},
		{"WithClock", apply(WithClock(clock)), func(o options) (any, any) { return o.now().Unix(), int64(42) }},
		{"WithClock(nil) keeps one", apply(WithClock(nil)), func(o options) (any, any) { return o.now != nil, true }},
		{"later option wins", apply(WithCheckInterval(time.Second), WithCheckInterval(2*time.Second)),
			func(o options) (any, any) { return o.interval, 2 * time.Second }},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got, want := c.check(c.o); got != want {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// The counters tell a transport gone mute: consecutive errors grow until
// a send works, which reports the run it ended; the total never resets.
func TestHealth_sendResult(t *testing.T) {
	var h Health // the zero value is ready
	t0 := time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)
	fail := errors.New("network is unreachable")
	steps := []struct {
		err                      error
		wantConsecutive, wantEnd uint64
		wantTotal, wantRun       uint64
	}{
		{nil, 0, 0, 0, 0},
		{fail, 1, 0, 1, 1},
		{fail, 2, 0, 2, 2},
		{fail, 3, 0, 3, 3},
		{nil, 0, 3, 3, 0},
		{nil, 0, 0, 3, 0},
		{fail, 1, 0, 4, 1},
	}
	for i, s := range steps {
		at := t0.Add(time.Duration(i) * time.Second)
		c, end := h.sendResult(s.err, at)
		r := h.Report()
		if c != s.wantConsecutive || end != s.wantEnd || r.SendErrors != s.wantTotal || r.ConsecutiveSendErrors != s.wantRun {
			t.Errorf("step %d: got %d, %d, total %d, run %d; want %d, %d, total %d, run %d",
				i, c, end, r.SendErrors, r.ConsecutiveSendErrors, s.wantConsecutive, s.wantEnd, s.wantTotal, s.wantRun)
		}
		if s.err != nil && (r.LastSendError != s.err.Error() || !r.LastSendErrorAt.Equal(at)) {
			t.Errorf("step %d: got last error %q at %v, want %q at %v", i, r.LastSendError, r.LastSendErrorAt, s.err, at)
		}
	}
	// A send that worked keeps the last error for status.
	if r := h.Report(); r.LastSendError != fail.Error() {
		t.Errorf("got %q, want the last error kept", r.LastSendError)
	}
}

func TestHealth_reportIsACopy(t *testing.T) {
	h := NewHealth()
	h.update(func(r *Report) { r.Rejoins = 1 })
	r := h.Report()
	r.Rejoins = 99
	if got := h.Report().Rejoins; got != 1 {
		t.Errorf("got %v, want %v", got, 1)
	}
}

// Health is shared by the transport's goroutines and status readers.
func TestHealth_concurrentUse(t *testing.T) {
	h := NewHealth()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				h.sendResult(errors.New("x"), time.Time{})
				h.update(func(r *Report) { r.Checks++ })
				_ = h.Report()
			}
		}()
	}
	wg.Wait()
	if r := h.Report(); r.SendErrors != 400 || r.Checks != 400 {
		t.Errorf("got %d send errors, %d checks, want 400 each", r.SendErrors, r.Checks)
	}
}
