package actors

import (
	"log/slog"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/messages"
)

// Save pacing: a significant change (a peer or disk came or went) is saved
// within saveSoon; changes of last-seen times alone within saveLater, so an
// idle daemon does not write its disk every few seconds. A kill -9 loses
// at most that much; a clean stop saves everything (Daemon.Stop).
const (
	saveSoon  = time.Second
	saveLater = time.Minute
)

// StateStore writes Info's knowledge to state_file. Info tells it when
// something changed (StateChanged); when the save is due it asks Info for a
// snapshot and writes it atomically in a goroutine, one write at a time.
// A panic restarts it; the next change schedules a save again.
type StateStore struct {
	d       *deps
	log     *slog.Logger
	timer   *time.Timer
	due     time.Time
	writing bool
	next    *messages.StateSnapshot // arrived while writing
	wg      sync.WaitGroup
	lastErr string
}

func newStateStoreProps(d *deps) *actor.Props {
	if d.cfg.StateFile == "" {
		return nil
	}
	return actor.PropsFromProducer(func() actor.Actor {
		return &StateStore{d: d, log: d.log.With("actor", "state_store")}
	}, actor.WithReceiverMiddleware(logPanics(d.log)))
}

// Receive handles one message.
func (a *StateStore) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Restarting, *actor.Stopping:
		if a.timer != nil {
			a.timer.Stop()
		}
		a.wg.Wait()
	case *messages.StateChanged:
		a.schedule(c, m.Significant)
	case *saveDue:
		a.timer, a.due = nil, time.Time{}
		c.Request(a.d.pids.info, &messages.GetStateSnapshot{})
	case *messages.StateSnapshot:
		if a.writing {
			a.next = m
			return
		}
		a.write(c, m)
	case *saveDone:
		a.writing = false
		if m.err != nil && m.err.Error() != a.lastErr {
			a.log.Error("state file not saved", "file", a.d.cfg.StateFile, "error", m.err)
		} else if m.err == nil && a.lastErr != "" {
			a.log.Info("state file saved again", "file", a.d.cfg.StateFile)
		}
		a.lastErr = ""
		if m.err != nil {
			a.lastErr = m.err.Error()
		}
		if a.next != nil {
			snap := a.next
			a.next = nil
			a.write(c, snap)
		}
	}
}

func (a *StateStore) schedule(c actor.Context, significant bool) {
	delay := saveLater
	if significant {
		delay = saveSoon
	}
	due := time.Now().Add(delay)
	if a.timer != nil && !a.due.After(due) {
		return // an earlier save is already scheduled
	}
	if a.timer != nil {
		a.timer.Stop()
	}
	self, root := c.Self(), a.d.root
	a.due = due
	a.timer = time.AfterFunc(delay, func() { root.Send(self, &saveDue{}) })
}

func (a *StateStore) write(c actor.Context, snap *messages.StateSnapshot) {
	a.writing = true
	self, root, path := c.Self(), a.d.root, a.d.cfg.StateFile
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		root.Send(self, &saveDone{err: saveState(path, snap)})
	}()
}

// saveState encodes and writes a snapshot atomically.
func saveState(path string, snap *messages.StateSnapshot) error {
	b, err := EncodeState(snap)
	if err != nil {
		return err
	}
	return WriteStateFile(path, b)
}

// saveDue ends the pacing delay.
type saveDue struct{}

// saveDone is the outcome of one write.
type saveDone struct{ err error }
