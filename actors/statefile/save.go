package statefile

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/diskd-actors/diskd-actors/messages"
)

// Save writes s to path atomically: a crash leaves the old file or the new
// one, never a torn one. The file is private (0600) because it maps the
// network and its disks; the directory is created (0700) if needed. The
// encoding streams into the temporary file and is abandoned (ErrTooLarge,
// old file kept) as soon as it would pass MaxSize, so the daemon never
// writes what it could not load. Something other than a regular file at
// path is not replaced (ErrUnsafe). It returns the size written.
func Save(path string, s *messages.StateSnapshot) (n int64, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("save state: %w", err)
		}
	}()
	if err := Check(path); err != nil {
		return 0, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, err
	}
	f, err := os.CreateTemp(dir, tempPrefix(path)+"*")
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name()) // fails harmlessly once renamed
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return 0, err
	}
	lw := &limitWriter{w: f, left: saveLimit}
	bw := bufio.NewWriterSize(lw, 256<<10)
	if err = Encode(bw, s); err != nil {
		return 0, err
	}
	if err = bw.Flush(); err != nil {
		return 0, err
	}
	if err = f.Sync(); err != nil {
		return 0, err
	}
	if err = f.Close(); err != nil {
		return 0, err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return 0, err
	}
	// The rename is durable only once the directory is synced.
	d, err := os.Open(dir)
	if err != nil {
		return 0, err
	}
	defer d.Close()
	if err = d.Sync(); errors.Is(err, syscall.EINVAL) {
		err = nil // the filesystem cannot sync directories
	}
	return saveLimit - lw.left, err
}

// limitWriter fails with ErrTooLarge instead of writing past its limit.
type limitWriter struct {
	w    *os.File
	left int64
}

func (l *limitWriter) Write(b []byte) (int, error) {
	if int64(len(b)) > l.left {
		return 0, fmt.Errorf("%w (%d bytes)", ErrTooLarge, saveLimit)
	}
	n, err := l.w.Write(b)
	l.left -= int64(n)
	return n, err
}

// saveLimit is MaxSize; tests lower it.
var saveLimit int64 = MaxSize
