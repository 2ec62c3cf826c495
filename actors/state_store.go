package actors

import (
	"log/slog"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/actors/statefile"
	"github.com/diskd-actors/diskd-actors/messages"
)

// snapshotTimeout: a snapshot asked of Info and not received by then (Info
// restarted meanwhile) is asked for again at the next due save.
const snapshotTimeout = 10 * time.Second

// StateStore writes Info's knowledge to the state file. Info tells it when
// something changed (StateChanged); a statefile.Pacer on the daemon's clock
// decides when a save is due (debounced, with a maximum delay, a bounded
// rate, last-seen-only changes lazily); then it asks Info for a snapshot
// and writes it in a goroutine, one write at a time, the result tagged with
// the save's number. A timer only wakes it; the pacer decides. A panic
// restarts it with a fresh pacer: the next change schedules a save again.
type StateStore struct {
	d     *deps
	log   *slog.Logger
	pacer *statefile.Pacer
	timer *time.Timer
	armed time.Time // when timer fires

	asked   time.Time // a snapshot was asked for (zero: not waiting)
	sig     bool      // the save being prepared or written was significant
	writing uint64    // number of the write in flight, 0 if none
	saves   uint64
	wg      sync.WaitGroup
	lastErr string
}

func newStateStoreProps(d *deps) *actor.Props {
	if !d.state.on() {
		return nil
	}
	return actor.PropsFromProducer(func() actor.Actor {
		return &StateStore{d: d, log: d.log.With("actor", "state_store"), pacer: statefile.NewPacer(d.pacing)}
	}, actor.WithReceiverMiddleware(logPanics(d.log)))
}

// Receive handles one message.
func (a *StateStore) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		if a.d.state.migrate {
			a.pacer.Changed(a.d.now(), true) // rewrite the YAML file as JSON soon
			a.arm(c)
		}
	case *actor.Restarting, *actor.Stopping:
		if a.timer != nil {
			a.timer.Stop()
		}
		a.wg.Wait()
	case *messages.StateChanged:
		a.pacer.Changed(a.d.now(), m.Significant)
		a.arm(c)
	case *saveDue:
		a.armed = time.Time{}
		a.maybeSave(c)
	case *messages.StateSnapshot:
		a.handleSnapshot(c, m)
	case *saveDone:
		a.handleDone(c, m)
	case *messages.CheckHealth:
		c.Respond(&messages.Healthy{Part: "state_store"})
	}
}

// maybeSave begins a save if one is due and none is under way.
func (a *StateStore) maybeSave(c actor.Context) {
	now := a.d.now()
	if a.writing != 0 {
		return // handleDone re-arms
	}
	if !a.asked.IsZero() {
		if now.Sub(a.asked) < snapshotTimeout {
			return // handleSnapshot starts the write
		}
		a.asked = time.Time{} // Info never answered (it restarted): retry
		a.pacer.Failed(now, a.sig)
	}
	due, ok := a.pacer.Due()
	if !ok {
		return
	}
	if now.Before(due) {
		a.arm(c)
		return
	}
	a.sig = a.pacer.Begin(now) || a.sig
	a.asked = now
	c.Request(a.d.pids.info, &messages.GetStateSnapshot{})
	a.wake(c, now.Add(snapshotTimeout))
}

func (a *StateStore) handleSnapshot(c actor.Context, snap *messages.StateSnapshot) {
	if a.asked.IsZero() || a.writing != 0 {
		return // a late answer to a request given up on
	}
	a.asked = time.Time{}
	a.saves++
	n := a.saves
	a.writing = n
	self, root, path, d := c.Self(), a.d.root, a.d.state.path, a.d
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		start := time.Now()
		size, err := saveState(d, path, snap)
		root.Send(self, &saveDone{n: n, size: size, took: time.Since(start), err: err})
	}()
}

func (a *StateStore) handleDone(c actor.Context, m *saveDone) {
	if m.n != a.writing {
		return
	}
	a.writing = 0
	path := a.d.state.path
	switch {
	case m.err != nil:
		a.pacer.Failed(a.d.now(), a.sig)
		if m.err.Error() != a.lastErr {
			a.log.Error("state file not saved", "file", path, "error", m.err)
		}
		a.lastErr = m.err.Error()
	default:
		if a.lastErr != "" {
			a.log.Info("state file saved again", "file", path)
		}
		a.lastErr = ""
		a.log.Debug("state file saved", "file", path, "bytes", m.size, "took", m.took)
	}
	a.sig = false
	a.arm(c)
}

// arm sets the wake-up timer for the pacer's next due save.
func (a *StateStore) arm(c actor.Context) {
	if due, ok := a.pacer.Due(); ok && a.writing == 0 {
		a.wake(c, due)
	}
}

// wake sets the timer to fire at (on the daemon's clock), unless it fires
// earlier already.
func (a *StateStore) wake(c actor.Context, at time.Time) {
	if a.timer != nil && !a.armed.IsZero() && !a.armed.After(at) {
		return
	}
	if a.timer != nil {
		a.timer.Stop()
	}
	self, root := c.Self(), a.d.root
	a.armed = at
	a.timer = time.AfterFunc(max(at.Sub(a.d.now()), 0), func() { root.Send(self, &saveDue{}) })
}

// saveDue wakes the actor to check the pacer.
type saveDue struct{}

// saveDone is the outcome of write number n.
type saveDone struct {
	n    uint64
	size int64
	took time.Duration
	err  error
}
