package statefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/diskd-actors/diskd-actors/messages"
)

// Open opens path for reading without following a symlink and without
// blocking (a FIFO would otherwise wait for a writer), and only if it is a
// regular file: anything else fails with ErrUnsafe at once. A missing file
// fails with an error matching fs.ErrNotExist. Errors name path, never
// what a link points to.
func Open(path string) (*os.File, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
	switch {
	case errors.Is(err, unix.ELOOP):
		return nil, &unsafeError{path, "a symbolic link (not followed)"}
	case errors.Is(err, unix.ENOENT):
		return nil, fmt.Errorf("state file %s: %w", path, fs.ErrNotExist)
	case err != nil:
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	f := os.NewFile(uintptr(fd), path)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		f.Close()
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	if kind := fileKind(st.Mode); kind != "" {
		f.Close()
		return nil, &unsafeError{path, kind}
	}
	return f, nil
}

// unsafeError names the path and what it is, never what it points to.
type unsafeError struct{ path, kind string }

func (e *unsafeError) Error() string {
	return fmt.Sprintf("state file %s is %s, not a regular file: refused", e.path, e.kind)
}

func (e *unsafeError) Is(target error) bool { return target == ErrUnsafe }

// fileKind names a file type that is not a regular file; "" for one.
func fileKind(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFREG:
		return ""
	case unix.S_IFDIR:
		return "a directory"
	case unix.S_IFIFO:
		return "a FIFO"
	case unix.S_IFCHR, unix.S_IFBLK:
		return "a device"
	case unix.S_IFSOCK:
		return "a socket"
	case unix.S_IFLNK:
		return "a symbolic link (not followed)"
	}
	return "not a regular file"
}

// Check reports ErrUnsafe if something other than a regular file is at
// path; a missing file is fine. Save refuses to replace such a thing.
func Check(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("state file %s: %w", path, err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		if kind := fileKind(st.Mode); kind != "" {
			return &unsafeError{path, kind}
		}
	}
	return nil
}

// Read returns the file's bytes, at most MaxSize+1 of them (enough for
// Decode to refuse an oversized file without reading all of it).
func Read(path string) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// One allocation of the right size; a file that grows meanwhile is
	// still cut one byte past the limit.
	size := 4096
	if fi, err := f.Stat(); err == nil && fi.Size() < MaxSize {
		size = int(fi.Size()) + 1
	}
	b := make([]byte, 0, size)
	for len(b) <= MaxSize {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, rerr := f.Read(b[len(b):min(cap(b), MaxSize+1)])
		b = b[:len(b)+n]
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			err = rerr
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("state file %s: read: %w", path, err)
	}
	return b, nil
}

// Load reads and decodes the state file. A missing file is a first start:
// (nil, false, nil). A path that is not a regular file is left alone and
// fails with ErrUnsafe. A file that cannot be read or decoded is moved
// aside to PATH.corrupt-<UTC time> for the operator (so the next save does
// not destroy the evidence); the error says why and where it went. legacy
// is true for a YAML file, which the caller saves again to migrate.
func Load(path string, now time.Time) (snap *messages.StateSnapshot, legacy bool, err error) {
	b, err := Read(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, false, nil
	case errors.Is(err, ErrUnsafe):
		return nil, false, err
	case err == nil:
		if snap, legacy, err = Decode(b); err == nil {
			return snap, legacy, nil
		}
	}
	aside, merr := moveAside(path, now)
	if merr != nil {
		return nil, false, fmt.Errorf("state file %s unusable: %w; could not move it aside, left in place: %v", path, err, merr)
	}
	return nil, false, fmt.Errorf("state file %s unusable, moved to %s: %w", path, aside, err)
}

func moveAside(path string, now time.Time) (string, error) {
	base := path + ".corrupt-" + now.UTC().Format("20060102T150405Z")
	aside := base
	// Keep an earlier corrupt file from the same second.
	for i := 1; i < 100; i++ {
		if _, err := os.Lstat(aside); errors.Is(err, fs.ErrNotExist) {
			break
		}
		aside = fmt.Sprintf("%s.%d", base, i)
	}
	return aside, os.Rename(path, aside)
}

// tempPrefix names the temporary files of saves to path; they are this
// file's own (the state-file lock makes one writer), so any found at start
// are leftovers of a killed save.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// oldTempPrefix is the temporary name of saves before the JSON format
// (os.CreateTemp's decimal suffix); old enough ones are removed too.
const oldTempPrefix = ".diskd-state-"

// RemoveTemps deletes leftover temporary files of saves to path (regular
// files only) and returns how many. Those of the old naming are removed
// only after an hour, as they may belong to another daemon's state file.
func RemoveTemps(path string, now time.Time) (int, error) {
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("state file temps in %s: %w", dir, err)
	}
	mine := tempPrefix(path)
	n := 0
	for _, e := range entries {
		name := e.Name()
		old := false
		if !strings.HasPrefix(name, mine) {
			digits, ok := strings.CutPrefix(name, oldTempPrefix)
			if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" {
				continue
			}
			old = true
		}
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() || old && now.Sub(fi.ModTime()) < time.Hour {
			continue
		}
		if os.Remove(filepath.Join(dir, name)) == nil {
			n++
		}
	}
	return n, nil
}
