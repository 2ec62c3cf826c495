package actors

import (
	"errors"
	"io/fs"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/actors/mountinfo"
	"github.com/diskd-actors/diskd-actors/messages"
)

// MountWatcher reads the mount table (mounts.file, /proc/self/mountinfo by
// default) when it starts, every mounts.interval, and at once when the
// kernel signals a change, and sends it to Info as MountsScanned whenever it
// differs from what it sent last. Sources that are paths are resolved
// through symbolic links (/dev/disk/by-uuid/… → /dev/sda1) so Info can match
// them against blkid's devices; a change of a link counts as a change.
//
// It owns a ticker (mountsTick) and a mountinfo.Watcher, a goroutine that
// polls the open table for POLLPRI, which /proc/self/mountinfo raises on
// every mount and unmount, and sends mountsChanged (at most one queued at a
// time). A file
// that never signals (a regular file) is covered by the ticker alone. A
// failed read (missing file, not a regular file, a malformed table) is sent
// to Info as MountsScanned with Err, once per distinct error; Info keeps
// the mounts it had, and the next good read is sent even if unchanged.
//
// In: mountsTick and mountsChanged from its own goroutines. Out:
// MountsScanned to Info, by name (pids.info).
//
// Reading happens inside Receive: /proc is never slow, and the file is
// opened non-blocking and must be a regular file, so a FIFO cannot hang it.
// A panic restarts it: the ticker and the goroutine are stopped in
// Restarting (and Stopping), and the new instance reads and sends the table
// again.
type MountWatcher struct {
	d       *deps
	log     *slog.Logger
	tick    *ticker
	watch   *mountinfo.Watcher
	pending atomic.Bool           // a mountsChanged is queued and not yet handled
	sent    bool                  // last holds what Info was sent
	last    []messages.MountEntry // the table last sent
	lastErr string                // the error last sent, "" after a good read
	every   time.Duration         // mounts.interval in force (reloadable)
}

func newMountWatcherProps(d *deps) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &MountWatcher{d: d, log: d.log.With("actor", "mount_watcher")}
	}, actor.WithReceiverMiddleware(logPanics(d.log)))
}

// Receive handles one message.
func (a *MountWatcher) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		cfg := a.d.cfg.Mounts
		a.watch = a.startWatch(c.Self(), cfg.File)
		a.every = cfg.Interval
		a.tick = newTicker(a.d.root, c.Self(), cfg.Interval, cfg.Interval, &mountsTick{})
		a.scan(c)
		askSettings(c)
	case *messages.ApplySettings:
		if iv := m.Settings.MountsInterval; iv != a.every {
			a.every = iv
			a.tick.stop()
			a.tick = newTicker(a.d.root, c.Self(), iv, iv, &mountsTick{})
		}
		applied(c, "mount_watcher")
	case *messages.CheckHealth:
		c.Respond(&messages.Healthy{Part: "mount_watcher"})
	case *actor.Restarting, *actor.Stopping:
		a.tick.stop()
		a.watch.Stop()
	case *mountsTick:
		a.scan(c)
	case *mountsChanged:
		a.pending.Store(false) // a change during the read sends again
		a.scan(c)
	case *messages.MountTableChanged: // MountServer mounted or unmounted
		a.scan(c)
	}
}

// scan reads the table and tells Info what changed.
func (a *MountWatcher) scan(c actor.Context) {
	file := a.d.cfg.Mounts.File
	began := time.Now()
	entries, err := mountinfo.Read(file)
	a.d.stats.recordRun(runMounts, mountOutcome(err), time.Since(began))
	if err != nil {
		if msg := err.Error(); msg != a.lastErr {
			a.lastErr = msg
			a.log.Warn("cannot read the mount table; keeping the last one", "file", file, "error", err)
			c.Send(a.d.pids.info, &messages.MountsScanned{Err: msg})
		}
		return
	}
	if a.lastErr != "" {
		a.log.Info("mount table readable again", "file", file, "mounts", len(entries))
		a.lastErr, a.sent = "", false
	}
	for i := range entries {
		entries[i].Resolved = mountinfo.ResolveSource(entries[i].Source)
	}
	if a.sent && slices.Equal(entries, a.last) {
		return
	}
	a.sent, a.last = true, entries
	c.Send(a.d.pids.info, &messages.MountsScanned{Entries: slices.Clone(entries)})
}

// startWatch watches the table for the kernel's change signal, before the
// first read so that no change in between is missed. Without a watch (a
// missing file, a regular file that is not procfs) the periodic reads go
// on, and report a missing file.
func (a *MountWatcher) startWatch(self *actor.PID, path string) *mountinfo.Watcher {
	root := a.d.root
	changed := func() {
		if a.pending.CompareAndSwap(false, true) {
			root.Send(self, &mountsChanged{})
		}
	}
	failed := func(err error) {
		a.log.Warn("watching the mount table failed; re-reading it periodically only", "file", path, "error", err)
	}
	w, err := mountinfo.Watch(path, changed, failed)
	var pe *fs.PathError
	switch {
	case err == nil, errors.Is(err, mountinfo.ErrNotRegular):
	case errors.As(err, &pe):
		a.log.Debug("cannot watch the mount table; re-reading it periodically only", "file", path, "error", err)
	default:
		a.log.Warn("cannot watch the mount table; re-reading it periodically only", "file", path, "error", err)
	}
	return w
}

// mountsTick is the periodic re-read.
type mountsTick struct{}

// mountsChanged says the kernel signalled a change of the mount table.
type mountsChanged struct{}
