package lock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestPathFor(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/run/diskd.sock", "/run/diskd.sock.lock"},
		{"state.yaml", "state.yaml.lock"},
		{"/x.lock", "/x.lock.lock"},
	} {
		t.Run(c.in, func(t *testing.T) {
			if got := PathFor(c.in); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// Release empties the PID (a reader must not blame a dead process) and
// leaves the file (unlinking it would let two holders lock two inodes).
func TestRelease_emptiesPIDKeepsFile(t *testing.T) {
	target := filepath.Join(t.TempDir(), "state.yaml")
	l, err := Acquire(target)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(PathFor(target))
	if err != nil {
		t.Fatalf("got %v, want the lock file kept", err)
	}
	if len(b) != 0 {
		t.Errorf("got %q, want an empty file", b)
	}
}

// A previous holder's longer PID is replaced whole, not overwritten in
// part (which would leave a wrong PID behind).
func TestAcquire_replacesAStalePID(t *testing.T) {
	target := filepath.Join(t.TempDir(), "sock")
	if err := os.WriteFile(PathFor(target), []byte("999999999\nleftover\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := Acquire(target)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	b, _ := os.ReadFile(l.Path())
	if got, want := string(b), strconv.Itoa(os.Getpid())+"\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAcquire_errors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name   string
		target string
		want   string
	}{
		{"missing directory", filepath.Join(dir, "nope", "sock"), "no such file or directory"},
		{"lock file path is a directory", func() string {
			p := filepath.Join(dir, "d")
			if err := os.Mkdir(p+Suffix, 0o700); err != nil {
				t.Fatal(err)
			}
			return p
		}(), ".lock"},
	} {
		t.Run(c.name, func(t *testing.T) {
			l, err := Acquire(c.target)
			if err == nil {
				l.Release()
				t.Fatalf("got a lock, want an error")
			}
			if errors.Is(err, ErrHeld) {
				t.Errorf("got %v, want an error other than ErrHeld", err)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), PathFor(c.target)) {
				t.Errorf("got %v, want it to name %s and contain %q", err, PathFor(c.target), c.want)
			}
		})
	}
}

// Another holder (here a second open file description, as another process
// would have) that wrote no PID yet is reported with PID 0.
func TestAcquire_heldWithoutPID(t *testing.T) {
	target := filepath.Join(t.TempDir(), "sock")
	f, err := os.OpenFile(PathFor(target), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(target)
	var held *HeldError
	if !errors.As(err, &held) {
		t.Fatalf("got %v, want a *HeldError", err)
	}
	if held.PID != 0 || !strings.Contains(err.Error(), "PID unknown") {
		t.Errorf("got %+v (%v), want PID 0, unknown", held, err)
	}
	// The refusal must not have truncated or written the holder's file.
	if _, err := f.WriteString("4242\n"); err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(target)
	if !errors.As(err, &held) || held.PID != 4242 {
		t.Errorf("got %v, want held by 4242", err)
	}
}

func TestHeldError(t *testing.T) {
	for _, c := range []struct {
		name string
		e    *HeldError
		want string
	}{
		{"known pid", &HeldError{Path: "/a.lock", PID: 12}, "lock /a.lock is held by process 12"},
		{"zero pid", &HeldError{Path: "/a.lock"}, "lock /a.lock is held by another process (PID unknown)"},
		{"negative pid", &HeldError{Path: "/a.lock", PID: -1}, "lock /a.lock is held by another process (PID unknown)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.e.Error(); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
			if wrapped := fmt.Errorf("start: %w", c.e); !errors.Is(wrapped, ErrHeld) {
				t.Errorf("got errors.Is false through a wrap, want true")
			}
		})
	}
	if errors.Is(errors.New("other"), ErrHeld) {
		t.Errorf("got an unrelated error matching ErrHeld")
	}
}

func TestRelease_nilAndZero(t *testing.T) {
	var l *Lock
	if err := l.Release(); err != nil {
		t.Errorf("nil: got %v, want nil", err)
	}
	if err := (&Lock{}).Release(); err != nil {
		t.Errorf("zero: got %v, want nil", err)
	}
}
