package transport

import (
	"sync"
	"time"
)

// Reporter is implemented by transports that watch their own health. It
// is separate from Transport so that its users and the Hub need not care.
type Reporter interface {
	Report() Report
}

// Report is a transport's health as status shows it.
type Report struct {
	Interface string    // the configured interface, "" for the system default
	Address   string    // the address the sending socket is bound to, "" if any
	LinkUp    bool      // the link was usable at the last check
	Watch     string    // how changes are noticed: "netlink+poll" or "poll"
	Checks    uint64    // interface checks done
	Rejoins   uint64    // the group re-joined on the receiving socket
	Rebinds   uint64    // the sending socket re-opened on a new address
	LastFix   string    // why the last rejoin or rebind happened
	LastFixAt time.Time // when
	// FixErrors counts rejoins and rebinds that failed (retried at the
	// next check); FixError is the last one.
	FixErrors uint64
	FixError  string
	// SendErrors counts failed sends; ConsecutiveSendErrors those since
	// the last send that worked, so that a transport gone mute shows.
	SendErrors            uint64
	ConsecutiveSendErrors uint64
	LastSendError         string
	LastSendErrorAt       time.Time
}

// Health holds a Report and outlives the transports that write it: the
// daemon makes one and passes it to every transport it opens (WithHealth),
// so that counters do not reset when MulticastServer restarts. The zero
// value is ready; it is safe for concurrent use.
type Health struct {
	mu sync.Mutex
	r  Report
}

// NewHealth returns an empty Health.
func NewHealth() *Health { return &Health{} }

// Report returns a copy of the current report.
func (h *Health) Report() Report {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.r
}

func (h *Health) update(f func(*Report)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f(&h.r)
}

// sendResult records the outcome of one send. It returns the number of
// consecutive errors including this one (0 after a send that worked) and,
// for a send that worked, how many failed just before it.
func (h *Health) sendResult(err error, now time.Time) (consecutive, endedRun uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err == nil {
		endedRun, h.r.ConsecutiveSendErrors = h.r.ConsecutiveSendErrors, 0
		return 0, endedRun
	}
	h.r.SendErrors++
	h.r.ConsecutiveSendErrors++
	h.r.LastSendError, h.r.LastSendErrorAt = err.Error(), now
	return h.r.ConsecutiveSendErrors, 0
}
