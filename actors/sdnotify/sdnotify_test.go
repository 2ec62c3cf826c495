package sdnotify

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// listen opens a unixgram socket as systemd's would be.
func listen(t *testing.T, name string) *net.UnixConn {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func read(t *testing.T, c *net.UnixConn) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

func TestNotify_pathAndAbstract(t *testing.T) {
	for _, name := range []string{
		filepath.Join(t.TempDir(), "notify"),
		fmt.Sprintf("@diskd-sdnotify-test-%d", os.Getpid()),
	} {
		srv := listen(t, name)
		t.Setenv("NOTIFY_SOCKET", name)
		n, err := FromEnv()
		if err != nil || n == nil {
			t.Fatalf("%s: %v %v", name, n, err)
		}
		if err := n.Notify(Ready, Status("listening on /run/x\nscanned")); err != nil {
			t.Fatal(err)
		}
		if got, want := read(t, srv), "READY=1\nSTATUS=listening on /run/x scanned"; got != want {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
		if err := n.Notify(Watchdog); err != nil {
			t.Fatal(err)
		}
		if got := read(t, srv); got != "WATCHDOG=1" {
			t.Errorf("%s: got %q, want WATCHDOG=1", name, got)
		}
	}
}

func TestNotify_offAndBad(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	n, err := FromEnv()
	if n != nil || err != nil {
		t.Fatalf("unset: %v %v, want nil, nil", n, err)
	}
	if err := n.Notify(Ready); err != nil {
		t.Errorf("nil Notifier: %v, want nothing sent and no error", err)
	}
	if _, err := New("relative/sock"); err == nil || !strings.Contains(err.Error(), "absolute") {
		t.Errorf("relative name: %v, want an error", err)
	}
	n, _ = New(filepath.Join(t.TempDir(), "nobody-listens"))
	if err := n.Notify(Ready); err == nil {
		t.Errorf("no listener: no error, want one")
	}
	srv := listen(t, filepath.Join(t.TempDir(), "s"))
	n, _ = New(srv.LocalAddr().String())
	for _, bad := range []string{"READY", "STATUS=a\nb", "X=\x00"} {
		if err := n.Notify(bad); err == nil {
			t.Errorf("line %q: no error, want one", bad)
		}
	}
}

func TestWatchdogInterval(t *testing.T) {
	for _, tc := range []struct {
		usec, pid string
		want      time.Duration
		err       bool
	}{
		{"", "", 0, false},
		{"30000000", "", 15 * time.Second, false},
		{"30000000", "42", 15 * time.Second, false},
		{"30000000", "41", 0, false}, // another process's
		{"0", "", 0, true},
		{"-5", "", 0, true},
		{"soon", "", 0, true},
		{"30000000", "x", 0, true},
		{"99999999999999999999", "", 0, true},
	} {
		got, err := watchdogInterval(tc.usec, tc.pid, 42)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("WATCHDOG_USEC=%q WATCHDOG_PID=%q: %v %v, want %v (error %v)", tc.usec, tc.pid, got, err, tc.want, tc.err)
		}
	}
	t.Setenv("WATCHDOG_USEC", "2000000")
	t.Setenv("WATCHDOG_PID", fmt.Sprint(os.Getpid()))
	if got, err := WatchdogInterval(); got != time.Second || err != nil {
		t.Errorf("from the environment: %v %v, want 1s", got, err)
	}
}

// The environment is outside input: no value of WATCHDOG_USEC,
// WATCHDOG_PID or NOTIFY_SOCKET panics, and an interval is positive.
func FuzzEnvironment(f *testing.F) {
	for _, s := range [][3]string{
		{"30000000", "", "/run/systemd/notify"}, {"1", "42", "@abstract"}, {"", "", ""},
		{"-1", "x", "relative"}, {"18446744073709551615", "42", "@"}, {"0x10", "042", "/"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, usec, pid, socket string) {
		d, err := watchdogInterval(usec, pid, 42)
		if err == nil && d < 0 || err != nil && d != 0 {
			t.Fatalf("%q %q: %v %v", usec, pid, d, err)
		}
		n, err := New(socket)
		if err == nil && socket != "" && n == nil {
			t.Fatalf("%q: no Notifier and no error", socket)
		}
	})
}
