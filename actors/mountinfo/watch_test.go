package mountinfo

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/diskd-actors/diskd-actors/messages"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	if err := os.WriteFile(good, []byte("26 1 254:0 / / rw - ext4 /dev/vda rw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := Read(good)
	if want := []messages.MountEntry{{Source: "/dev/vda", Path: "/", FSType: "ext4"}}; err != nil || !slices.Equal(got, want) {
		t.Errorf("good: got %+v, %v, want %+v", got, err, want)
	}
	for _, c := range []struct{ path, want string }{
		{bad, bad + ": mountinfo: line 1:"},
		{fifo, "not a regular file"},
		{dir, "not a regular file"},
		{filepath.Join(dir, "missing"), "no such file"},
	} {
		if got, err := Read(c.path); err == nil || !strings.Contains(err.Error(), c.want) || got != nil {
			t.Errorf("%s: got %+v, %v, want an error containing %q", c.path, got, err, c.want)
		}
	}
}

func TestResolveSource(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "sda1")
	if err := os.WriteFile(target, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "by-uuid")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ src, want string }{
		{link, target},
		{target, target},
		{"tmpfs", "tmpfs"},
		{"server:/export", "server:/export"},
		{filepath.Join(dir, "missing"), filepath.Join(dir, "missing")},
	} {
		if got := ResolveSource(c.src); got != c.want {
			t.Errorf("ResolveSource(%q): got %q, want %q", c.src, got, c.want)
		}
	}
}

func TestWatch_Refuses(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	var pe *fs.PathError
	for _, c := range []struct {
		path string
		ok   func(error) bool
		want string
	}{
		{filepath.Join(dir, "missing"), func(err error) bool { return errors.As(err, &pe) }, "a *fs.PathError"},
		{fifo, func(err error) bool { return errors.Is(err, ErrNotRegular) }, "ErrNotRegular"},
		{dir, func(err error) bool { return errors.Is(err, ErrNotRegular) }, "ErrNotRegular"},
	} {
		w, err := Watch(c.path, func() { t.Error("changed called") }, func(error) { t.Error("failed called") })
		if w != nil || !c.ok(err) {
			t.Errorf("%s: got %v, %v, want no watcher and %s", c.path, w, err, c.want)
		}
		w.Stop() // safe on nil
	}
}

// A regular file other than procfs never signals: the watch runs quietly
// until Stop, which may be called twice.
func TestWatch_RegularFileIsQuiet(t *testing.T) {
	file := filepath.Join(t.TempDir(), "mountinfo")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := Watch(file, func() { t.Error("changed called for a regular file") }, func(err error) { t.Errorf("failed: %v", err) })
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte("26 1 254:0 / / rw - ext4 /dev/vda rw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w.Stop()
	w.Stop()
}

// As root, mounting a tmpfs makes /proc/self/mountinfo signal, and
// unmounting it again (each change wakes the poller anew).
func TestWatch_ProcSelfMountinfoSignals(t *testing.T) {
	changed := make(chan struct{}, 1)
	w, err := Watch("/proc/self/mountinfo", func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	}, func(err error) { t.Errorf("failed: %v", err) })
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	dir := t.TempDir()
	if err := unix.Mount("diskd-test", dir, "tmpfs", 0, "size=64k"); err != nil {
		t.Skip("cannot mount a tmpfs (not root?):", err)
	}
	mounted := true
	defer func() {
		if mounted {
			unix.Unmount(dir, unix.MNT_DETACH)
		}
	}()
	select {
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Fatal("no change signalled within 10s of a mount")
	}
	if err := unix.Unmount(dir, 0); err != nil {
		t.Fatal(err)
	}
	mounted = false
	select {
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Fatal("no change signalled within 10s of an unmount")
	}
}
