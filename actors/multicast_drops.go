package actors

import (
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// eventBudget allows at most eventsPerSecond drop events to debug
// subscribers, so a flood of junk cannot flood a debug session. Not safe
// for concurrent use: the reader and the actor have one each.
type eventBudget struct {
	now   func() time.Time
	start time.Time
	n     int
}

const eventsPerSecond = 10

func newEventBudget(now func() time.Time) *eventBudget { return &eventBudget{now: now} }

func (b *eventBudget) take() bool {
	if t := b.now(); t.Sub(b.start) >= time.Second {
		b.start, b.n = t, 0
	}
	b.n++
	return b.n <= eventsPerSecond
}

// dropLog logs at most one line per key every dropLogEvery, with the number
// of events suppressed since, so a flood of junk cannot flood the log.
type dropLog struct {
	log  *slog.Logger
	mu   sync.Mutex
	last map[string]time.Time
	skip map[string]int
}

const dropLogEvery = 10 * time.Second

func newDropLog(log *slog.Logger) *dropLog {
	return &dropLog{log: log, last: map[string]time.Time{}, skip: map[string]int{}}
}

func (l *dropLog) warn(msg string, args ...any) {
	key := msg
	if len(args) >= 2 {
		key += fmt.Sprint(args[1])
	}
	l.mu.Lock()
	now := time.Now()
	if now.Sub(l.last[key]) < dropLogEvery {
		l.skip[key]++
		l.mu.Unlock()
		return
	}
	suppressed := l.skip[key]
	l.last[key], l.skip[key] = now, 0
	if len(l.last) > 1024 { // keys include reasons only, but stay bounded
		clear(l.last)
		clear(l.skip)
	}
	l.mu.Unlock()
	l.log.Warn(msg, append(args, "suppressed", suppressed)...)
}
