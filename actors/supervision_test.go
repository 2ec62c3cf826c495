package actors

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/messages"
)

// The tests of this package crash parts with *messages.Crash without the
// diskd_testhooks tag.
func init() { crashHooks = true }

// records is a slog handler that keeps what is logged.
type records struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *records) WithGroup(string) slog.Handler            { return r }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, rec.Clone())
	return nil
}

// panics returns the attributes of each "actor panicked" record.
func (r *records) panics() []map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]string
	for _, rec := range r.recs {
		if rec.Message != "actor panicked" {
			continue
		}
		attrs := map[string]string{}
		rec.Attrs(func(a slog.Attr) bool { attrs[a.Key] = a.Value.String(); return true })
		out = append(out, attrs)
	}
	return out
}

type boom struct{}

// middlewareProbe spawns an actor behind the middleware that panics on
// *boom and forwards every other message it receives to got.
func middlewareProbe(t *testing.T, crash bool) (*actor.ActorSystem, *actor.PID, *records, chan any) {
	t.Helper()
	sys := actor.NewActorSystem(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return slog.New(slog.DiscardHandler) }),
		actor.WithDeadLetterThrottleInterval(10*time.Millisecond),
	)
	log := &records{}
	got := make(chan any, 100)
	props := actor.PropsFromFunc(func(c actor.Context) {
		if _, ok := c.Message().(*boom); ok {
			panic("boom")
		}
		got <- c.Message()
	}, actor.WithReceiverMiddleware(middleware(slog.New(log), crash)))
	pid := sys.Root.Spawn(props)
	t.Cleanup(func() {
		if err := sys.Root.StopFuture(pid).Wait(); err != nil {
			t.Errorf("stop: %v", err)
		}
		sys.Shutdown()
	})
	return sys, pid, log, got
}

// next returns the next message of type T the probe received, skipping
// others, or fails after a deadline.
func next[T any](t *testing.T, got chan any) T {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case m := <-got:
			if v, ok := m.(T); ok {
				return v
			}
		case <-deadline:
			var zero T
			t.Fatalf("no %T within 5s", zero)
			return zero
		}
	}
}

func TestMiddleware_PanicLoggedOnceWithStack(t *testing.T) {
	sys, pid, log, got := middlewareProbe(t, true)
	next[*actor.Started](t, got)
	sys.Root.Send(pid, &boom{})
	next[*actor.Restarting](t, got)
	next[*actor.Started](t, got)
	p := log.panics()
	if len(p) != 1 {
		t.Fatalf("got %d panic records %v, want 1", len(p), p)
	}
	if p[0]["panic"] != "boom" || p[0]["message"] != "*actors.boom" || p[0]["actor"] != pid.GetId() ||
		!strings.Contains(p[0]["stack"], "supervision_test.go") {
		t.Fatalf("got %v, want panic boom, message *actors.boom, actor %s and a stack through the handler", p[0], pid.GetId())
	}
}

func TestMiddleware_CrashHook(t *testing.T) {
	for _, crash := range []bool{true, false} {
		t.Run(map[bool]string{true: "on", false: "off"}[crash], func(t *testing.T) {
			sys, pid, log, got := middlewareProbe(t, crash)
			next[*actor.Started](t, got)
			sys.Root.Send(pid, &messages.Crash{})
			sys.Root.Send(pid, "after")
			if crash {
				next[*actor.Restarting](t, got)
			}
			// With the hook off, Receive gets the Crash (and ignores it).
			sawCrash := false
			for m := next[any](t, got); m != "after"; m = next[any](t, got) {
				if _, ok := m.(*messages.Crash); ok {
					sawCrash = true
				}
			}
			if sawCrash == crash {
				t.Fatalf("Receive got the Crash: %v, want %v", sawCrash, !crash)
			}
			p := log.panics()
			switch {
			case crash && (len(p) != 1 || p[0]["panic"] != crashPanic || p[0]["message"] != "*messages.Crash"):
				t.Fatalf("got panic records %v, want one for the Crash", p)
			case !crash && len(p) != 0:
				t.Fatalf("got panic records %v, want none", p)
			}
		})
	}
}
