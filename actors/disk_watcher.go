package actors

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/actors/blkid"
	"github.com/diskd-actors/diskd-actors/messages"
)

// DiskWatcher runs the blkid command every blkid.interval and on Rescan,
// and sends each outcome to Info as ScanFinished. One run at a time: a
// goroutine does the scan (blkid.Scan: the run, in its own process group
// killed with its children after blkid.timeout, and the parse). A failed run (missing program, permission, non-zero exit,
// timeout, garbage output) is reported, never applied, so the last good
// list stays.
//
// Results are tagged with a run id, so a restarted DiskWatcher ignores what
// a run of its predecessor reports. A panic restarts it; the run in flight
// is cancelled and its Rescan waiters get no answer (their requests time
// out).
type DiskWatcher struct {
	d       *deps
	log     *slog.Logger
	tick    *ticker
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	running uint64       // id of the run in flight, 0 when idle
	waiting []*actor.PID // Rescan requesters of the run in flight
	next    []*actor.PID // Rescan requesters for the run after it
	rerun   bool         // a Rescan arrived during a run
	applied map[uint64]*pendingRun
	lastOut string // outcome of the previous run, to log changes only

	// The blkid settings in force: the configuration's, then those of
	// each reload (ApplySettings).
	argv     []string
	interval time.Duration
	timeout  time.Duration
}

type pendingRun struct {
	report    messages.ScanReport
	noListYet bool
	waiting   []*actor.PID
}

func newDiskWatcherProps(d *deps) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &DiskWatcher{d: d, log: d.log.With("actor", "disk_watcher"), applied: map[uint64]*pendingRun{}}
	}, actor.WithReceiverMiddleware(logPanics(d.log)))
}

// Receive handles one message.
func (a *DiskWatcher) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		b := a.d.cfg.Blkid
		a.argv, a.interval, a.timeout = b.Command, b.Interval, b.Timeout
		a.tick = newTicker(a.d.root, c.Self(), 0, a.interval, &scanTick{})
		askSettings(c)
	case *messages.ApplySettings:
		s := m.Settings
		a.argv, a.timeout = s.BlkidCommand, s.BlkidTimeout
		if s.BlkidInterval != a.interval {
			a.interval = s.BlkidInterval
			a.tick.stop()
			a.tick = newTicker(a.d.root, c.Self(), a.interval, a.interval, &scanTick{})
		}
		applied(c, "disk_watcher")
	case *messages.CheckHealth:
		c.Respond(&messages.Healthy{Part: "disk_watcher"})
	case *actor.Restarting, *actor.Stopping:
		a.tick.stop()
		if a.cancel != nil {
			a.cancel()
		}
		a.wg.Wait()
	case *scanTick:
		if a.running == 0 {
			a.startRun(c)
		}
	case *messages.Rescan:
		if a.running == 0 {
			a.waiting = append(a.waiting, c.Sender())
			a.startRun(c)
		} else {
			// The run in flight may predate the change the caller wants
			// to see: answer after a fresh run.
			a.next = append(a.next, c.Sender())
			a.rerun = true
		}
	case *scanDone:
		a.handleScanDone(c, m)
	case *messages.ScanApplied:
		if p := a.applied[m.RunID]; p != nil {
			delete(a.applied, m.RunID)
			for _, w := range p.waiting {
				if w != nil {
					c.Send(w, &messages.RescanDone{Report: p.report, Changed: m.Changed, NoListYet: p.noListYet})
				}
			}
		}
	}
}

func (a *DiskWatcher) startRun(c actor.Context) {
	id := a.d.runIDs.Add(1)
	a.running = id
	ctx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	argv, timeout := a.argv, a.timeout
	self, root, now := c.Self(), a.d.root, a.d.now
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		started := now()
		disks, err := blkid.Scan(ctx, argv, timeout)
		root.Send(self, &scanDone{id: id, started: started, dur: now().Sub(started), disks: disks, err: err})
	}()
}

func (a *DiskWatcher) handleScanDone(c actor.Context, m *scanDone) {
	if m.id != a.running {
		return
	}
	a.cancel()
	a.running, a.cancel = 0, nil
	report := messages.ScanReport{RunID: m.id, Started: m.started, Duration: m.dur, Outcome: blkid.Outcome(m.err)}
	disks, err := m.disks, m.err // no disks when err is set
	noListYet := false
	if err != nil {
		report.Error = err.Error()
		noListYet = !a.d.blkidOK.Load()
		switch {
		case a.lastOut == report.Outcome:
		case noListYet:
			a.log.Warn("blkid run failed; no local disk list yet", "outcome", report.Outcome, "error", err)
		default:
			a.log.Warn("blkid run failed; keeping the last good disk list", "outcome", report.Outcome, "error", err)
		}
	} else {
		a.d.blkidOK.Store(true)
		report.Disks = len(disks)
		if a.lastOut != blkid.OutcomeOK && a.lastOut != "" {
			a.log.Info("blkid runs again", "disks", len(disks))
		}
	}
	a.lastOut = report.Outcome
	a.applied[m.id] = &pendingRun{report: report, noListYet: noListYet, waiting: a.waiting}
	a.waiting = nil
	c.Request(a.d.pids.info, &messages.ScanFinished{Run: report, Disks: disks})
	if a.rerun {
		a.rerun = false
		a.waiting, a.next = a.next, nil
		a.startRun(c)
	}
}

// scanTick is the periodic scan.
type scanTick struct{}

// scanDone is the outcome of one scan, from its goroutine.
type scanDone struct {
	id      uint64
	started time.Time
	dur     time.Duration
	disks   []messages.Disk
	err     error
}
