package mountinfo

import (
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"golang.org/x/sys/unix"
)

// ErrNotRegular is returned by Watch for a path that is not a regular
// file: only procfs files signal changes, other regular files never do,
// and a pipe or a socket could signal without end.
var ErrNotRegular = errors.New("mountinfo: not a regular file")

// pollTimeout is how long one poll waits (ms) before the goroutine checks
// its quit channel again; the pipe normally wakes it sooner.
const pollTimeout = 1000

// Watcher is a goroutine waiting for the kernel to signal a change of a
// mount table: /proc/self/mountinfo raises POLLPRI on every mount and
// unmount. It tells that something changed, not what: the caller reads the
// table again (Read).
type Watcher struct {
	quit chan struct{}
	wake int // write end of a pipe; closing it wakes the poll at once
	wg   sync.WaitGroup
	once sync.Once
}

// Watch opens path and calls changed, from its own goroutine, each time the
// kernel signals a change, until Stop. Open the watch before the first Read
// of the table, so that no change between that read and the watch is
// missed. If polling fails later, failed is called once with the error and
// the goroutine ends; a caller that also re-reads periodically loses
// nothing but promptness. Both callbacks must not block.
//
// It fails with a *fs.PathError when path cannot be opened, ErrNotRegular
// when it is not a regular file, or another error when the wake-up pipe
// cannot be made.
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
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("mountinfo: watch %s: pipe: %w", path, err)
	}
	w := &Watcher{quit: make(chan struct{}), wake: p[1]}
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
			n, err := unix.Poll(fds, pollTimeout)
			switch {
			case err == unix.EINTR || n == 0:
				continue
			case err != nil:
				failed(fmt.Errorf("mountinfo: watch %s: poll: %w", path, err))
				return
			case fds[1].Revents != 0 || fds[0].Revents&unix.POLLNVAL != 0:
				return
			}
			if fds[0].Revents&(unix.POLLPRI|unix.POLLERR) != 0 {
				changed()
			}
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
		unix.Close(w.wake)
	})
	w.wg.Wait()
}
