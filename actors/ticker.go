package actors

import (
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// ticker sends msg to an actor every interval until stopped. It replaces
// protoactor's TimerScheduler, whose cancel races with a firing timer at our
// pinned version; stop returns only after the goroutine has ended, so a
// restarted actor never inherits the ticks of its predecessor.
type ticker struct {
	quit chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// newTicker starts sending msg to pid after first, then every interval.
func newTicker(root *actor.RootContext, pid *actor.PID, first, interval time.Duration, msg any) *ticker {
	t := &ticker{quit: make(chan struct{})}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		timer := time.NewTimer(first)
		defer timer.Stop()
		select {
		case <-t.quit:
			return
		case <-timer.C:
			root.Send(pid, msg)
		}
		tk := time.NewTicker(interval)
		defer tk.Stop()
		for {
			select {
			case <-t.quit:
				return
			case <-tk.C:
				root.Send(pid, msg)
			}
		}
	}()
	return t
}

// stop ends the ticker and waits for its goroutine. Safe on nil and twice.
func (t *ticker) stop() {
	if t == nil {
		return
	}
	t.once.Do(func() { close(t.quit) })
	t.wg.Wait()
}
