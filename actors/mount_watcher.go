package actors

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
	"golang.org/x/sys/unix"

	"github.com/diskd-actors/diskd-actors/messages"
)

// MountWatcher reads the mount table (mounts.file, /proc/self/mountinfo by
// default) when it starts, every mounts.interval, and at once when the
// kernel signals a change, and sends it to Info as MountsScanned whenever it
// differs from what it sent last. Sources that are paths are resolved
// through symbolic links (/dev/disk/by-uuid/… → /dev/sda1) so Info can match
// them against blkid's devices; a change of a link counts as a change.
//
// It owns a ticker (mountsTick) and a watch goroutine that polls the open
// table for POLLPRI, which /proc/self/mountinfo raises on every mount and
// unmount, and sends mountsChanged (at most one queued at a time). A file
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
	watch   *mountWatch
	sent    bool                  // last holds what Info was sent
	last    []messages.MountEntry // the table last sent
	lastErr string                // the error last sent, "" after a good read
}

func newMountWatcherProps(d *deps) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &MountWatcher{d: d, log: d.log.With("actor", "mount_watcher")}
	}, actor.WithReceiverMiddleware(logPanics(d.log)))
}

// Receive handles one message.
func (a *MountWatcher) Receive(c actor.Context) {
	switch c.Message().(type) {
	case *actor.Started:
		cfg := a.d.cfg.Mounts
		a.watch = startMountWatch(a.d.root, c.Self(), cfg.File, a.log)
		a.tick = newTicker(a.d.root, c.Self(), cfg.Interval, cfg.Interval, &mountsTick{})
		a.scan(c)
	case *actor.Restarting, *actor.Stopping:
		a.tick.stop()
		a.watch.stop()
	case *mountsTick:
		a.scan(c)
	case *mountsChanged:
		a.watch.pending.Store(false) // a change during the read sends again
		a.scan(c)
	}
}

// scan reads the table and tells Info what changed.
func (a *MountWatcher) scan(c actor.Context) {
	file := a.d.cfg.Mounts.File
	entries, err := readMountinfo(file)
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
		entries[i].Resolved = resolveMountSource(entries[i].Source)
	}
	if a.sent && slices.Equal(entries, a.last) {
		return
	}
	a.sent, a.last = true, entries
	c.Send(a.d.pids.info, &messages.MountsScanned{Entries: slices.Clone(entries)})
}

// readMountinfo reads and parses a mount table file. It must be a regular
// file (procfs files are); it is opened non-blocking so that a FIFO given by
// mistake fails instead of hanging.
func readMountinfo(path string) ([]messages.MountEntry, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return nil, err
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, st.Mode().Type())
	}
	data, err := io.ReadAll(io.LimitReader(f, maxMountinfoBytes+1))
	if err != nil {
		return nil, err
	}
	entries, err := ParseMountinfo(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return entries, nil
}

// resolveMountSource follows the symbolic links of a source that is a path;
// other sources (tmpfs, server:/export) and unresolvable paths are kept.
func resolveMountSource(src string) string {
	if !strings.HasPrefix(src, "/") {
		return src
	}
	if r, err := filepath.EvalSymlinks(src); err == nil {
		return r
	}
	return src
}

// mountWatch is the goroutine that waits for the kernel to signal a change
// of the mount table. stop wakes it through a pipe and waits for it to end.
type mountWatch struct {
	quit    chan struct{}
	wake    int // write end of a pipe; closing it wakes the poll at once
	wg      sync.WaitGroup
	once    sync.Once
	pending atomic.Bool // a mountsChanged is queued and not yet handled
}

// mountPollTimeout is how long one poll waits (ms) before the goroutine
// checks its quit channel again; the pipe normally wakes it sooner.
const mountPollTimeout = 1000

// startMountWatch opens path and starts watching it. It opens the file
// before the first read of the table, so that no change between that read
// and the watch is missed. Failures are logged and leave nothing running:
// the periodic reads go on, and report a missing file.
func startMountWatch(root *actor.RootContext, pid *actor.PID, path string, log *slog.Logger) *mountWatch {
	w := &mountWatch{quit: make(chan struct{}), wake: -1}
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		log.Debug("cannot watch the mount table; re-reading it periodically only", "file", path, "error", err)
		return w
	}
	// Only regular files: procfs signals changes, other regular files never
	// signal, and a pipe or a socket could signal without end.
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		return w
	}
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		unix.Close(fd)
		log.Warn("cannot watch the mount table; re-reading it periodically only", "file", path, "error", err)
		return w
	}
	w.wake = p[1]
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		defer unix.Close(fd)
		defer unix.Close(p[0])
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLPRI}, {Fd: int32(p[0]), Events: unix.POLLIN}}
		for {
			select {
			case <-w.quit:
				return
			default:
			}
			n, err := unix.Poll(fds, mountPollTimeout)
			switch {
			case err == unix.EINTR || n == 0:
				continue
			case err != nil:
				log.Warn("watching the mount table failed; re-reading it periodically only", "file", path, "error", err)
				return
			case fds[1].Revents != 0 || fds[0].Revents&unix.POLLNVAL != 0:
				return
			}
			if fds[0].Revents&(unix.POLLPRI|unix.POLLERR) != 0 && w.pending.CompareAndSwap(false, true) {
				root.Send(pid, &mountsChanged{})
			}
		}
	}()
	return w
}

// stop ends the goroutine and waits for it. Safe on nil and twice.
func (w *mountWatch) stop() {
	if w == nil {
		return
	}
	w.once.Do(func() {
		close(w.quit)
		if w.wake >= 0 {
			unix.Close(w.wake)
		}
	})
	w.wg.Wait()
}

// mountsTick is the periodic re-read.
type mountsTick struct{}

// mountsChanged says the kernel signalled a change of the mount table.
type mountsChanged struct{}
