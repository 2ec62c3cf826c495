package messages

import "time"

// EventsDropped is the kind of the line a debug stream gets when its client
// caught up after events were dropped for it; Detail starts with the count.
const EventsDropped = "events_dropped"

// SessionStats are the bounds of client sessions and what they refused, for
// status. Counters never reset while the daemon runs.
type SessionStats struct {
	Open    int64  `json:"open"`          // sessions now
	Debug   int64  `json:"debug_streams"` // of which streaming debug events
	MaxOpen int    `json:"max_open"`      // more are answered ".err busy" and closed
	Busy    uint64 `json:"refused_busy"`
	// QueueEvents and QueueBytes bound the debug events one session holds
	// for a client that reads slower than they come; more are dropped.
	QueueEvents   int    `json:"queue_events"`
	QueueBytes    int    `json:"queue_bytes"`
	EventsDropped uint64 `json:"events_dropped"`
	// AnswerWait bounds how long a client may take no byte of an answer;
	// then it is disconnected and counted in SlowClients.
	AnswerWait  time.Duration `json:"answer_wait_ns"`
	SlowClients uint64        `json:"slow_clients_disconnected"`
	// Writing counts answers being written now; an answer that waits for
	// its client counts here until it is taken or AnswerWait passes.
	Writing int64  `json:"answers_writing"`
	TooLong uint64 `json:"lines_too_long"`
	// DrainWait bounds how long a stopping session writes what it queued;
	// CutAtStop counts the sessions closed with something left unwritten.
	DrainWait time.Duration `json:"drain_wait_ns"`
	CutAtStop uint64        `json:"cut_at_stop"`
}
