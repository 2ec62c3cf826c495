package actors

import (
	"sync/atomic"

	"github.com/diskd-actors/diskd-actors/messages"
)

// sessionCounters count what client sessions hold and refuse. They live in
// stats, so they outlive every session and every restart of SocketFactory.
type sessionCounters struct {
	open          atomic.Int64  // sessions started, not yet stopped
	busy          atomic.Uint64 // connections refused at maxSessions
	eventsDropped atomic.Uint64 // debug events dropped for slow clients
	slowClients   atomic.Uint64 // clients disconnected for not taking an answer
	writing       atomic.Int64  // answers being written now
	tooLong       atomic.Uint64 // command lines over MaxCommandLine
	cutAtStop     atomic.Uint64 // stops that closed before the queue was written
}

// sessionStats is the status view of the counters and the bounds they guard.
func (s *stats) sessionStats() messages.SessionStats {
	c := &s.sessions
	lim := defaultSessionLimits
	return messages.SessionStats{
		Open: c.open.Load(), Debug: s.subscribers.Load() - s.http.subscribers(), MaxOpen: maxSessions, Busy: c.busy.Load(),
		QueueEvents: lim.queueEvents, QueueBytes: lim.queueBytes, EventsDropped: c.eventsDropped.Load(),
		AnswerWait: lim.answerWait, SlowClients: c.slowClients.Load(),
		Writing: c.writing.Load(), TooLong: c.tooLong.Load(),
		DrainWait: lim.drainWait, CutAtStop: c.cutAtStop.Load(),
	}
}
