package actors

import (
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/config"
)

// probe runs one watcher actor in its own actor system; a probe actor
// stands in for Info, forwards each message of type T to got and, if
// answer is set, answers it.
type probe[T any] struct {
	sys     *actor.ActorSystem
	watcher *actor.PID
	got     chan T
	within  time.Duration // how long next waits
}

func startProbe[T any](t *testing.T, cfg *config.Config, within time.Duration,
	props func(*deps) *actor.Props, answer func(actor.Context, T)) *probe[T] {
	t.Helper()
	sys := actor.NewActorSystem(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return slog.New(slog.DiscardHandler) }),
		actor.WithDeadLetterThrottleInterval(10*time.Millisecond),
	)
	p := &probe[T]{sys: sys, got: make(chan T, 100), within: within}
	info := sys.Root.Spawn(actor.PropsFromFunc(func(c actor.Context) {
		if m, ok := c.Message().(T); ok {
			p.got <- m
			if answer != nil {
				answer(c, m)
			}
		}
	}))
	d := &deps{cfg: cfg, log: slog.New(slog.DiscardHandler), now: time.Now, root: sys.Root}
	d.pids.info = info
	p.watcher = sys.Root.Spawn(props(d))
	t.Cleanup(func() {
		for _, pid := range []*actor.PID{p.watcher, info} {
			if err := sys.Root.PoisonFuture(pid).Wait(); err != nil {
				t.Errorf("stop %s: %v", pid.GetId(), err)
			}
		}
		sys.Shutdown()
	})
	return p
}

// next waits for the next message the watcher sends to Info.
func (p *probe[T]) next(t *testing.T) T {
	t.Helper()
	select {
	case m := <-p.got:
		return m
	case <-time.After(p.within):
		var zero T
		t.Fatalf("no %s within %v", fmt.Sprintf("%T", zero), p.within)
		return zero
	}
}
