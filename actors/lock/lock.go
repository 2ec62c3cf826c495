// Package lock gives a daemon exclusive use of a path (a state file, a Unix
// socket) among processes on one host: an advisory flock on "<path>.lock"
// beside it, with the holder's PID written inside so that a second daemon
// can say who is in the way. The kernel drops the lock when its holder dies,
// so a kill -9 never leaves a stale lock behind; the file itself stays (it
// is never unlinked, which would let two holders lock different inodes).
package lock

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Suffix is appended to the guarded path to name its lock file.
const Suffix = ".lock"

// ErrHeld matches (errors.Is) a *HeldError.
var ErrHeld = errors.New("lock: held by another process")

// HeldError says that another process holds the lock. PID is 0 when the
// holder has not written it yet (or wrote something unreadable).
type HeldError struct {
	Path string // the lock file
	PID  int
}

func (e *HeldError) Error() string {
	if e.PID <= 0 {
		return fmt.Sprintf("lock %s is held by another process (PID unknown)", e.Path)
	}
	return fmt.Sprintf("lock %s is held by process %d", e.Path, e.PID)
}

// Is makes errors.Is(err, ErrHeld) true.
func (e *HeldError) Is(target error) bool { return target == ErrHeld }

// Lock is one held lock. Release it once; the zero value is not usable.
type Lock struct {
	f    *os.File
	path string
}

// PathFor names the lock file that guards target.
func PathFor(target string) string { return target + Suffix }

// Acquire locks PathFor(target) without waiting. It fails with a *HeldError
// when another process (or another Acquire in this one) holds it. The lock
// file is opened without following symlinks and must be a regular file, so
// a planted link cannot make the daemon truncate another file. The
// directory must exist.
func Acquire(target string) (*Lock, error) {
	path := PathFor(target)
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0o600)
	if err != nil {
		if errors.Is(err, unix.ELOOP) {
			return nil, fmt.Errorf("lock %s: is a symbolic link, refused", path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	f := os.NewFile(uintptr(fd), path)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		f.Close()
		return nil, fmt.Errorf("lock %s: not a regular file, refused", path)
	}
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, &HeldError{Path: path, PID: holder(path)}
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := writePID(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: write PID: %w", path, err)
	}
	return &Lock{f: f, path: path}, nil
}

// Path is the lock file's path.
func (l *Lock) Path() string { return l.path }

// Release empties the PID and drops the lock. The file stays.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := l.f.Close() // closing the last descriptor drops the flock
	l.f = nil
	return err
}

func writePID(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return err
}

// holder reads the PID in a held lock file. The holder writes it right
// after locking, so an empty file is retried briefly before giving up.
func holder(path string) int {
	for i := 0; i < 20; i++ {
		if pid := readPID(path); pid > 0 {
			return pid
		}
		time.Sleep(5 * time.Millisecond)
	}
	return 0
}

func readPID(path string) int {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 32))
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}
