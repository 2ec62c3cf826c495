package actors

import (
	"sync"
	"sync/atomic"

	"github.com/diskd-actors/diskd-actors/messages"
)

// hotplugStats is the device event listener's state and counters, written
// by Hotplug and its reader goroutine, read by Info for status. They
// outlive a restart of Hotplug.
type hotplugStats struct {
	mu         sync.Mutex
	state, err string

	events, ignored, malformed, overflows, rescans atomic.Uint64

	pending atomic.Bool // a notice of events is in Hotplug's mailbox
}

func (h *hotplugStats) setState(state, err string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.state, h.err = state, err
}

// snapshot is the status; nil before Hotplug started.
func (h *hotplugStats) snapshot() *messages.HotplugStatus {
	h.mu.Lock()
	state, err := h.state, h.err
	h.mu.Unlock()
	if state == "" {
		return nil
	}
	return &messages.HotplugStatus{State: state, Error: err, Events: h.events.Load(), Ignored: h.ignored.Load(),
		Malformed: h.malformed.Load(), Overflows: h.overflows.Load(), Rescans: h.rescans.Load()}
}
