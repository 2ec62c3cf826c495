package actors

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/messages"
)

// Supervision policy for the daemon's parts: a failing part is restarted at
// once for its first restartBurst failures within restartWindow; after that
// each restart waits twice as long as the one before (from backoffBase up to
// backoffMax), so a part that keeps failing never busy-loops. Every failure
// is logged with its stack and shown in status.
const (
	restartBurst  = 3
	restartWindow = time.Minute
	backoffBase   = 500 * time.Millisecond
	backoffMax    = 30 * time.Second
)

// health records the supervision history of each part, for status. It is
// shared by the supervisor strategies and Info, and outlives restarts.
type health struct {
	mu    sync.Mutex
	parts map[string]messages.PartHealth
}

func newHealth() *health { return &health{parts: map[string]messages.PartHealth{}} }

func (h *health) failed(part string, reason any, backoffTill time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.parts[part]
	p.Restarts++
	p.LastFailure = fmt.Sprint(reason)
	p.LastFailed = time.Now()
	p.BackoffTill = backoffTill
	h.parts[part] = p
}

func (h *health) snapshot() map[string]messages.PartHealth {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]messages.PartHealth, len(h.parts))
	for k, v := range h.parts {
		out[k] = v
	}
	return out
}

// partName turns "daemon/info" into "info" and "daemon/sockets/session-3"
// into "session".
func partName(pid *actor.PID) string {
	id := pid.GetId()
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		id = id[i+1:]
	}
	if i := strings.IndexByte(id, '-'); i >= 0 {
		id = id[:i]
	}
	return id
}

// backoffStrategy restarts a failing child, backing off when it keeps
// failing. protoactor's own exponential strategy is linear and never resets
// quickly; OneForOne stops a part for good after its budget.
type backoffStrategy struct {
	health *health
	log    *slog.Logger
}

func (s *backoffStrategy) HandleFailure(_ *actor.ActorSystem, sup actor.Supervisor, child *actor.PID, rs *actor.RestartStatistics, reason any, _ any) {
	if rs.NumberOfFailures(restartWindow) == 0 {
		rs.Reset()
	}
	rs.Fail()
	n := rs.NumberOfFailures(restartWindow)
	part := partName(child)
	if n <= restartBurst {
		s.health.failed(part, reason, time.Time{})
		s.log.Warn("part failed; restarting it", "part", part, "reason", fmt.Sprint(reason), "failures_in_window", n)
		sup.RestartChildren(child)
		return
	}
	delay := backoffBase << min(n-restartBurst-1, 10)
	delay = min(delay, backoffMax)
	s.health.failed(part, reason, time.Now().Add(delay))
	s.log.Error("part keeps failing; restarting it after a back-off", "part", part,
		"reason", fmt.Sprint(reason), "failures_in_window", n, "backoff", delay)
	time.AfterFunc(delay, func() { sup.RestartChildren(child) })
}

// stopStrategy stops a failing child: sessions own a connection that cannot
// be re-created, so a failed session ends and its client sees EOF.
type stopStrategy struct {
	health *health
	log    *slog.Logger
}

func (s *stopStrategy) HandleFailure(_ *actor.ActorSystem, sup actor.Supervisor, child *actor.PID, _ *actor.RestartStatistics, reason any, _ any) {
	s.health.failed(partName(child), reason, time.Time{})
	s.log.Warn("session failed; closing it", "session", child.GetId(), "reason", fmt.Sprint(reason))
	sup.StopChildren(child)
}

// crashHooks makes the middleware turn *messages.Crash into a panic. It is
// on in test-hook builds (testHooks, build tag diskd_testhooks) and off in
// production, where a Crash is ignored like any unknown message. This
// package's own tests, built without the tag, turn it on in an init.
var crashHooks = testHooks

// crashPanic is what a part panics with when a test hook crashes it.
const crashPanic = "crash requested by a test hook"

// logPanics is the one receiver middleware that every actor's props carry
// (actor.WithReceiverMiddleware(logPanics(d.log))), so that no actor
// handles either concern itself:
//
//   - A panic is logged once, with its stack, the actor and the message
//     type, then handed on unchanged to supervision. The mailbox logs it
//     too, but without a stack and at a level the daemon does not show.
//   - With crash hooks on, *messages.Crash never reaches Receive: the
//     middleware panics instead, so that tests can fail any part (the
//     "_panic PART" session command) through the same path as a real bug.
//   - onPanic, if given, runs first: Info counts its lost messages there.
func logPanics(log *slog.Logger, onPanic ...func()) actor.ReceiverMiddleware {
	return middleware(log, crashHooks, onPanic...)
}

// middleware is logPanics with the crash hooks on or off.
func middleware(log *slog.Logger, crash bool, onPanic ...func()) actor.ReceiverMiddleware {
	return func(next actor.ReceiverFunc) actor.ReceiverFunc {
		return func(c actor.ReceiverContext, env *actor.MessageEnvelope) {
			defer func() {
				if r := recover(); r != nil {
					for _, f := range onPanic {
						f()
					}
					log.Error("actor panicked", "actor", c.Self().GetId(), "panic", fmt.Sprint(r),
						"message", fmt.Sprintf("%T", env.Message), "stack", string(debug.Stack()))
					panic(r)
				}
			}()
			if _, ok := env.Message.(*messages.Crash); ok && crash {
				panic(crashPanic)
			}
			next(c, env)
		}
	}
}
