package transport

import (
	"log/slog"
	"time"
)

// DefaultCheckInterval is how often the multicast transport looks at its
// interface when nothing tells it sooner: a check is a netlink dump of the
// links and one of the addresses, about 0.1 ms (BenchmarkObserve).
const DefaultCheckInterval = time.Second

// DefaultNetlinkCheckInterval is the period of the check while netlink
// reports changes (and overflows) at once: then the check is only a
// backstop, and a 1 s one would be most of an idle daemon's wake-ups and
// garbage (a dump of the links and addresses each time, ~30 KB).
const DefaultNetlinkCheckInterval = 30 * time.Second

// Option adjusts OpenMulticast.
type Option func(*options)

type options struct {
	log      *slog.Logger
	health   *Health
	interval time.Duration
	backstop time.Duration // the interval while netlink is subscribed
	now      func() time.Time
	netlink  bool
	observe  func() Link // tests replace the look at the interface
	rcvbuf   int         // receive buffer asked of the kernel (batch.go)
}

func defaultOptions() options {
	return options{log: slog.New(slog.DiscardHandler), health: NewHealth(),
		interval: DefaultCheckInterval, backstop: DefaultNetlinkCheckInterval, now: time.Now, netlink: true,
		rcvbuf: DefaultReceiveBuffer}
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

// WithCheckInterval sets the period of the interface check, with or
// without netlink (default DefaultCheckInterval, DefaultNetlinkCheckInterval
// while netlink is subscribed); d <= 0 keeps the defaults.
func WithCheckInterval(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.interval, o.backstop = d, d
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
