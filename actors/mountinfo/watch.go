package mountinfo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// ErrNotRegular is returned by Watch for a path that is not a regular
// file: only procfs files signal changes, other regular files never do,
// and a pipe or a socket could signal without end.
var ErrNotRegular = errors.New("mountinfo: not a regular file")

// Watcher is a goroutine waiting for the kernel to signal a change of a
// mount table: /proc/self/mountinfo raises POLLPRI on every mount and
// unmount. It tells that something changed, not what: the caller reads the
// table again (Read).
//
// It waits in Go's network poller (epoll), not in a poll(2) of its own: a
// goroutine parked in a system call keeps the runtime's monitor thread
// (sysmon) from its deep sleep, which made a 1 s poll loop the largest
// part of an idle daemon's CPU.
type Watcher struct {
	quit chan struct{}
	file *os.File // nil for a file that never signals
	wg   sync.WaitGroup
	once sync.Once
}

// Watch opens path and calls changed, from its own goroutine, each time the
// kernel signals a change, until Stop. Open the watch before the first Read
// of the table, so that no change between that read and the watch is
// missed. If waiting
// fails later, failed is called once with the error and the goroutine
// ends; a caller that also re-reads periodically loses nothing but
// promptness. Both callbacks must not block.
//
// It fails with a *fs.PathError when path cannot be opened, ErrNotRegular
// when it is not a regular file, or another error when it cannot be
// watched.
func Watch(path string, changed func(), failed func(error)) (*Watcher, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		return nil, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	var sfs unix.Statfs_t
	if err := unix.Fstatfs(fd, &sfs); err != nil {
		unix.Close(fd)
		return nil, &fs.PathError{Op: "statfs", Path: path, Err: err}
	}
	w := &Watcher{quit: make(chan struct{})}
	if sfs.Type != unix.PROC_SUPER_MAGIC {
		unix.Close(fd) // only procfs signals: nothing to wait for
		return w, nil
	}
	// A non-blocking descriptor makes the File pollable: os registers it
	// with the poller, and Close wakes a goroutine waiting on it.
	w.file = os.NewFile(uintptr(fd), path)
	rc, err := w.file.SyscallConn()
	if err != nil {
		w.file.Close()
		return nil, fmt.Errorf("mountinfo: watch %s: %w", path, err)
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		// The kernel signals a change as POLLPRI|POLLERR; epoll reports
		// POLLERR to Go's poller as writable (the file is never writable
		// otherwise, while it is always readable), so the goroutine waits
		// for "write" readiness. The function never reports done, so Write
		// returns only with an error: Stop's Close, or a failure.
		first := true
		err := rc.Write(func(uintptr) bool {
			if !first {
				changed()
			}
			first = false
			return false
		})
		select {
		case <-w.quit:
		default:
			failed(fmt.Errorf("mountinfo: watch %s: %w", path, err))
		}
	}()
	return w, nil
}

// Stop ends the goroutine and waits for it: no callback runs after it
// returns. Safe on nil and twice.
func (w *Watcher) Stop() {
	if w == nil {
		return
	}
	w.once.Do(func() {
		close(w.quit)
		if w.file != nil {
			w.file.Close()
		}
	})
	w.wg.Wait()
}
