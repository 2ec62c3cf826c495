package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestDial(t *testing.T) {
	f := startFake(t, testGreeting)
	c, greeting, err := dial(f.path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if greeting != testGreeting {
		t.Errorf("greeting: got %q, want %q", greeting, testGreeting)
	}
	a, err := c.roundTrip("list", nil)
	if err != nil || !a.OK() || len(a.Lines) != 3 {
		t.Errorf("roundTrip: got %+v, %v, want OK with 3 lines", a, err)
	}
}

func TestDial_errors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.sock")

	stale := filepath.Join(dir, "stale.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: stale, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()

	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	silent := startFake(t, "")
	refusing := startFake(t, ".err unavailable too many clients")

	tests := []struct{ name, path, want string }{
		{"missing", missing, "daemon not running: no socket at " + missing + ` (start it with "diskd-actors daemon")`},
		{"stale", stale, "daemon not running: " + stale + " is a stale socket"},
		{"not a socket", plain, "cannot connect: " + plain + " is not a socket"},
		{"no greeting", silent.path, "daemon at " + silent.path + " sent no greeting within 50ms"},
		{"refused", refusing.path, "daemon refused the connection: too many clients"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := dial(tt.path, 50*time.Millisecond)
			if err == nil {
				c.Close()
			}
			if errText(err) != tt.want {
				t.Errorf("got %q, want %q", errText(err), tt.want)
			}
		})
	}
}

// Permission errors cannot be produced as root, so the mapping is checked
// on the error net.Dial returns, against a real socket file: the message
// names its mode and owner and says what to do.
func TestDialError_permission(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "d.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := os.Chmod(sock, 0o600); err != nil {
		t.Fatal(err)
	}
	me := userName(uint32(os.Getuid()))
	for _, errno := range []syscall.Errno{syscall.EACCES, syscall.EPERM} {
		err := &net.OpError{Op: "dial", Net: "unix", Err: os.NewSyscallError("connect", errno)}
		got := errText(dialError(sock, err))
		for _, want := range []string{"permission denied connecting to " + sock, "mode Srw-------", "owner " + me + ":", "you are " + me, "sudo", "socket_group"} {
			if !strings.Contains(got, want) {
				t.Errorf("%v: got %q, want it to contain %q", errno, got, want)
			}
		}
	}
	err = &net.OpError{Op: "dial", Net: "unix", Err: os.NewSyscallError("connect", syscall.EACCES)}
	got := errText(dialError("/nonexistent/dir/x.sock", err))
	if !strings.Contains(got, "a directory on its path is closed to you") || !strings.Contains(got, "sudo") {
		t.Errorf("unreachable path: got %q, want the directory named as the cause and sudo", got)
	}
}

// With no socket at the default path, the client uses the service's socket
// if there is one; a default that exists always wins.
func TestServiceFallback(t *testing.T) {
	dir := t.TempDir()
	home, service := filepath.Join(dir, "home-socket"), filepath.Join(dir, "service-socket")
	if got := fallback(home, service); got != home {
		t.Errorf("neither exists: %q, want the default %q", got, home)
	}
	ln, err := net.Listen("unix", service)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if got := fallback(home, service); got != service {
		t.Errorf("only the service's: %q, want %q", got, service)
	}
	if err := os.WriteFile(home, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := fallback(home, service); got != home {
		t.Errorf("both: %q, want the default %q", got, home)
	}
}
