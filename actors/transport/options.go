package transport

import (
	"log/slog"
	"time"
)

// DefaultCheckInterval is how often the multicast transport looks at its
// interface when nothing tells it sooner: a check is a netlink dump of the
// links and one of the addresses, about 0.1 ms (BenchmarkObserve).
const DefaultCheckInterval = time.Second

// Option adjusts OpenMulticast.
type Option func(*options)

type options struct {
	log      *slog.Logger
	health   *Health
	interval time.Duration
	now      func() time.Time
	netlink  bool
	observe  func() Link // tests replace the look at the interface
	rcvbuf   int         // receive buffer asked of the kernel (batch.go)
}

func defaultOptions() options {
	return options{log: slog.New(slog.DiscardHandler), health: NewHealth(),
		interval: DefaultCheckInterval, now: time.Now, netlink: true, rcvbuf: DefaultReceiveBuffer}
}

// WithLogger logs rejoins, rebinds, a lost link and failing sends to l.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.log = l
		}
	}
}

// WithHealth records the transport's health in h, which may outlive it.
func WithHealth(h *Health) Option {
	return func(o *options) {
		if h != nil {
			o.health = h
		}
	}
}

// WithCheckInterval sets the period of the interface check (default
// DefaultCheckInterval); d <= 0 keeps the default.
func WithCheckInterval(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.interval = d
		}
	}
}

// WithClock sets the clock that stamps errors and fixes (default
// time.Now).
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// WithoutNetlink turns the netlink subscription off: changes are then
// noticed by the periodic check alone.
func WithoutNetlink() Option { return func(o *options) { o.netlink = false } }
