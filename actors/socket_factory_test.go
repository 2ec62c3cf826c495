package actors

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/actors/lock"
	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/messages"
)

// dialSession connects to a socket and reads the greeting.
func dialSession(t *testing.T, path string) *client {
	t.Helper()
	c, err := net.DialTimeout("unix", path, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", path, err)
	}
	t.Cleanup(func() { c.Close() })
	cl := &client{t: t, c: c, r: newLineReader(c)}
	if g := cl.line(); !strings.HasPrefix(g, "diskd-actors ") {
		t.Fatalf("greeting: got %q", g)
	}
	return cl
}

func canDial(path string) bool {
	c, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// The factory listens with mode 0600, gives each connection its own
// session, survives a restart on the same path, and removes its socket on
// stop (its sessions end).
func TestSocketFactory_AcceptRestartStop(t *testing.T) {
	b := newSessionBed(t)
	path := b.d.cfg.Socket
	pid := b.sys.Root.Spawn(newSocketFactoryProps(b.d))
	waitFor(t, "socket listening", func() bool { return canDial(path) })
	if fi, err := os.Lstat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket file: %v, %v; want mode 0600", fi, err)
	}
	one, two := dialSession(t, path), dialSession(t, path)
	one.send("list\n")
	two.send("help\n")
	if _, st := one.answer(); st != ".ok 1 disk" {
		t.Errorf("list on the first session: got %q", st)
	}
	if _, st := two.answer(); st != ".ok" {
		t.Errorf("help on the second session: got %q", st)
	}

	b.sys.Root.Send(pid, &messages.Crash{}) // restarted by the default supervisor
	// Sessions are children: a restart of the factory stops them, after
	// it closed its listener.
	if !one.eof() {
		t.Fatalf("a session outlived the factory's restart")
	}
	waitFor(t, "listening again after a restart", func() bool { return canDial(path) })
	three := dialSession(t, path)
	three.send("list\n")
	if _, st := three.answer(); st != ".ok 1 disk" {
		t.Errorf("list after the restart: got %q", st)
	}

	if err := b.sys.Root.StopFuture(pid).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after stop the socket file is still there: %v", err)
	}
	if !three.eof() {
		t.Errorf("a session outlived the factory")
	}
}

// A socket file nobody accepts on (a daemon killed with -9) is replaced.
func TestSocketFactory_StaleSocketReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	old, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	old.SetUnlinkOnClose(false)
	old.Close()
	ln, err := listenUnix(path, socketAccess{mode: 0o600, gid: -1})
	if err != nil {
		t.Fatalf("stale socket: got %v, want it replaced", err)
	}
	defer ln.closeAndRemove()
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
		}
	}()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatalf("dial the new socket: %v", err)
	}
	c.Close()
}

// A live socket (a daemon without the lock) is neither unlinked nor
// replaced; a file that is not a socket is left alone.
func TestSocketFactory_LiveSocketNotUnlinked(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s")
	live, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	before, _ := os.Lstat(path)
	if _, err := listenUnix(path, socketAccess{mode: 0o600, gid: -1}); !errors.Is(err, ErrDaemonRunning) {
		t.Fatalf("live socket: got %v, want ErrDaemonRunning", err)
	}
	if after, err := os.Lstat(path); err != nil || !os.SameFile(before, after) {
		t.Fatalf("the live socket file was replaced or removed: %v", err)
	}
	go func() {
		if c, err := live.Accept(); err == nil {
			c.Close()
		}
	}()
	if c, err := net.Dial("unix", path); err != nil {
		t.Errorf("the live socket no longer accepts: %v", err)
	} else {
		c.Close()
	}

	plain := filepath.Join(dir, "plain")
	os.WriteFile(plain, []byte("keep me"), 0o600)
	if _, err := listenUnix(plain, socketAccess{mode: 0o600, gid: -1}); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Errorf("regular file: got %v, want a refusal", err)
	}
	if b, _ := os.ReadFile(plain); string(b) != "keep me" {
		t.Errorf("regular file changed: %q", b)
	}
}

// Only one daemon holds a socket: a second Start fails before it touches
// the socket file, naming the lock file and the PID that holds it; the first
// keeps serving, and once it stops the path is free again.
func TestSocketFactory_LockContention(t *testing.T) {
	h := &transport.Hub{}
	a, _ := testDaemon(t, h, "a", diskA)
	path := a.deps.cfg.Socket
	before, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := *a.deps.cfg
	cfg.Node = "b"
	_, err = Start(Options{Config: &cfg, Version: "test", Transport: h.Transport("b")})
	var held *lock.HeldError
	if !errors.Is(err, ErrDaemonRunning) || !errors.As(err, &held) {
		t.Fatalf("second daemon: got %v, want ErrDaemonRunning and a lock.HeldError", err)
	}
	for _, want := range []string{path + ".lock", fmt.Sprint(os.Getpid())} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("second daemon's error %q does not name %q", err, want)
		}
	}
	if after, err := os.Lstat(path); err != nil || !os.SameFile(before, after) {
		t.Fatalf("the second daemon touched the socket file: %v", err)
	}
	cl := dialSession(t, path)
	cl.send("list\n")
	if _, st := cl.answer(); !strings.HasPrefix(st, ".ok") {
		t.Errorf("the first daemon after the second tried: got %q", st)
	}
	a.Stop()
	l, err := lockSocket(path)
	if err != nil {
		t.Fatalf("after the first daemon stopped: %v", err)
	}
	l.Release()
}

// socket_mode and socket_group are applied to the socket file; a group
// the daemon may not give it away to is a clear error.
func TestListenUnix_modeAndGroup(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	gid := os.Getgid() // a group any process may give its own files
	ln, err := listenUnix(path, socketAccess{mode: 0o660, gid: gid})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.closeAndRemove()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o660 || fi.Sys().(*syscall.Stat_t).Gid != uint32(gid) {
		t.Errorf("socket mode %04o group %d, want 0660 and group %d", fi.Mode().Perm(), fi.Sys().(*syscall.Stat_t).Gid, gid)
	}
	if os.Geteuid() == 0 {
		t.Log("as root every group may be given: the refusal is not checked")
		return
	}
	_, err = listenUnix(filepath.Join(t.TempDir(), "s2"), socketAccess{mode: 0o660, gid: 0})
	if err == nil || !strings.Contains(err.Error(), "socket_group") {
		t.Errorf("chown to a group not ours: %v, want a socket_group error", err)
	}
}
