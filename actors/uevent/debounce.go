package uevent

import "time"

// Debouncer gathers a burst of events into one rescan: the rescan is due
// Quiet after the last event, and at the latest Max after the first, so
// that a device that keeps sending events is still scanned. It holds no
// timer: the caller asks Due when to come back and calls Fire then, on its
// own clock.
type Debouncer struct {
	Quiet, Max  time.Duration
	first, last time.Time
	pending     bool
}

// Event records an event at now.
func (d *Debouncer) Event(now time.Time) {
	if !d.pending {
		d.pending, d.first = true, now
	}
	d.last = now
}

// Pending reports whether events wait for a rescan.
func (d *Debouncer) Pending() bool { return d.pending }

// Due is when the rescan for the waiting events is due (zero when none
// wait).
func (d *Debouncer) Due() time.Time {
	if !d.pending {
		return time.Time{}
	}
	due := d.last.Add(d.Quiet)
	if limit := d.first.Add(d.Max); d.Max > 0 && limit.Before(due) {
		due = limit
	}
	return due
}

// Fire reports whether the rescan is due at now; if so the waiting events
// are taken, and the next event starts a new burst.
func (d *Debouncer) Fire(now time.Time) bool {
	if !d.pending || now.Before(d.Due()) {
		return false
	}
	d.pending = false
	return true
}
