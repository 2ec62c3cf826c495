package actors

import (
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// TickSource makes the ticks of a timer: the first after first, then one
// every interval, on ticks, until stop is called. The daemon's clock is
// Options.Now and its tickers' clock Options.Ticks, so that a test that
// moves the one moves the other (a fake clock fires the ticks whose time
// has come). A source may coalesce ticks a slow receiver has not taken.
type TickSource func(first, interval time.Duration) (ticks <-chan time.Time, stop func())

// ticker sends msg to an actor every interval until stopped. It replaces
// protoactor's TimerScheduler, whose cancel races with a firing timer at our
// pinned version; stop returns only after the goroutine has ended, so a
// restarted actor never inherits the ticks of its predecessor.
type ticker struct {
	quit chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// newTicker starts sending msg to pid after first, then every interval, on
// real time.
func newTicker(root *actor.RootContext, pid *actor.PID, first, interval time.Duration, msg any) *ticker {
	return newTickerFrom(nil, root, pid, first, interval, msg)
}

// newTickerFrom is newTicker on the ticks of src; nil means real time.
func newTickerFrom(src TickSource, root *actor.RootContext, pid *actor.PID, first, interval time.Duration, msg any) *ticker {
	if src == nil {
		src = realTicks
	}
	t := &ticker{quit: make(chan struct{})}
	ticks, stopSrc := src(first, interval)
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		defer stopSrc()
		for {
			select {
			case <-t.quit:
				return
			case <-ticks:
				root.Send(pid, msg)
			}
		}
	}()
	return t
}

// realTicks is the TickSource of the wall clock.
func realTicks(first, interval time.Duration) (<-chan time.Time, func()) {
	out := make(chan time.Time, 1)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		timer := time.NewTimer(first)
		defer timer.Stop()
		var tk <-chan time.Time = timer.C
		for {
			select {
			case <-quit:
				return
			case now := <-tk:
				if tk == timer.C {
					t := time.NewTicker(interval)
					defer t.Stop()
					tk = t.C
				}
				select {
				case out <- now:
				default: // the receiver is behind: coalesce
				}
			}
		}
	}()
	var once sync.Once
	return out, func() { once.Do(func() { close(quit) }); wg.Wait() }
}

// stop ends the ticker and waits for its goroutine. Safe on nil and twice.
func (t *ticker) stop() {
	if t == nil {
		return
	}
	t.once.Do(func() { close(t.quit) })
	t.wg.Wait()
}
