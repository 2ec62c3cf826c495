package actors

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/actors/lock"
	"github.com/diskd-actors/diskd-actors/actors/statefile"
	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/messages"
)

// fastPacing saves within milliseconds, so tests poll briefly.
var fastPacing = statefile.Pacing{Quiet: time.Millisecond, MaxDelay: 5 * time.Millisecond,
	MinInterval: time.Millisecond, Lazy: time.Hour, First: time.Millisecond, Retry: 10 * time.Millisecond}

func withState(path string) func(*Options) {
	return func(o *Options) {
		o.Config.StateFile = path
		o.StatePacing = fastPacing
	}
}

func loadState(t *testing.T, path string) (*messages.StateSnapshot, bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	s, legacy, err := statefile.Decode(b)
	if err != nil {
		t.Fatalf("saved file does not load: %v", err)
	}
	return s, legacy
}

// TestStateStore_SavesAfterAChangeAndAtStop: a change is saved soon, as
// JSON; Stop saves and releases the lock, so the next daemon restores.
func TestStateStore_SavesAfterAChangeAndAtStop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "state.json")
	h := &transport.Hub{}
	dm, _ := testDaemon(t, h, "a", diskA, withState(path))
	waitFor(t, "a save with the local disk", func() bool {
		s, _ := loadState(t, path)
		return s != nil && len(s.Sightings) == 1 && s.Node == "a"
	})
	dm.Stop()
	if _, err := os.Stat(lock.PathFor(path)); err != nil {
		t.Errorf("lock file: %v", err)
	}
	dm2, _ := testDaemon(t, h, "a", diskA, withState(path))
	dm2.Stop()
}

func TestStateStore_SecondDaemonOnTheFileIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	h := &transport.Hub{}
	dm, _ := testDaemon(t, h, "a", diskA, withState(path))
	o := Options{Config: dm.deps.cfg, Transport: h.Transport("b")}
	c := *o.Config
	c.Socket = filepath.Join(t.TempDir(), "other")
	o.Config = &c
	dm2, err := Start(o)
	if err == nil {
		dm2.Stop()
		t.Fatal("second Start: got nil error, want the lock refused")
	}
	var held *lock.HeldError
	if !errors.As(err, &held) || held.PID != os.Getpid() ||
		!strings.Contains(err.Error(), path+".lock") || !strings.Contains(err.Error(), strconv.Itoa(os.Getpid())) {
		t.Fatalf("got %v, want a lock.HeldError naming %s.lock and PID %d", err, path, os.Getpid())
	}
	if _, err := os.Stat(c.Socket); err == nil {
		t.Error("the refused daemon left a socket behind")
	}
}

func TestStateStore_MigratesYAML(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.yaml")
	yaml := "version: 1\nnode: a\nsaved_at: 2026-01-01T00:00:00Z\npeers:\n  - node: old\n    last_seen: 2026-01-01T00:00:00Z\n    disks: [{label: x}]\nsightings: []\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	testDaemon(t, &transport.Hub{}, "a", diskA, withState(path))
	waitFor(t, "the file saved as JSON with the restored peer", func() bool {
		s, legacy := loadState(t, path)
		return s != nil && !legacy && len(s.Peers) == 1 && s.Peers[0].Node == "old"
	})
}

// TestStateStore_UnsafePathTurnsPersistenceOff: a symlink, FIFO or
// directory at the path: the daemon runs, without a StateStore, and leaves
// the thing alone.
func TestStateStore_UnsafePathTurnsPersistenceOff(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("SECRET"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, mk := range map[string]func(string) error{
		"symlink":   func(p string) error { return os.Symlink(secret, p) },
		"fifo":      func(p string) error { return syscall.Mkfifo(p, 0o600) },
		"directory": func(p string) error { return os.Mkdir(p, 0o700) },
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			if err := mk(path); err != nil {
				t.Fatal(err)
			}
			before, _ := os.Lstat(path)
			dm, _ := testDaemon(t, &transport.Hub{}, "a", diskA, withState(path))
			if dm.deps.pids.stateStore != nil || dm.deps.state.on() {
				t.Error("persistence on, want off")
			}
			waitFor(t, "the local disk known", func() bool { return len(inventory(t, dm)) == 1 })
			dm.Stop()
			after, err := os.Lstat(path)
			if err != nil || after.Mode() != before.Mode() {
				t.Errorf("the path changed: %v -> %v (%v)", before.Mode(), after, err)
			}
		})
	}
	if b, _ := os.ReadFile(secret); string(b) != "SECRET" {
		t.Errorf("the secret changed: %q", b)
	}
}
