package main

import (
	"bufio"
	"errors"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReadAnswer(t *testing.T) {
	tests := []struct {
		name, in string
		want     Answer
		err      string
	}{
		{"ok with summary", "a\nb\n.ok 2 disks\n", Answer{Lines: []string{"a", "b"}, OK: true, Message: "2 disks"}, ""},
		{"bare ok", ".ok\n", Answer{OK: true}, ""},
		{"dot-stuffing strips one dot", "..\n..a\n...b\n. c\n", Answer{Lines: []string{".", ".a", "..b"}}, `protocol error: unexpected status line ". c"`},
		{"stuffed lines then ok", "..hidden\n...\n.ok\n", Answer{Lines: []string{".hidden", ".."}, OK: true}, ""},
		{"empty data line", "\n.ok\n", Answer{Lines: []string{""}, OK: true}, ""},
		{"crlf", "a\r\n.ok x\r\n", Answer{Lines: []string{"a"}, OK: true, Message: "x"}, ""},
		{"error with message", "partial\n.err not-found no disk matches \"q\"\n",
			Answer{Lines: []string{"partial"}, Code: "not-found", Message: `no disk matches "q"`}, ""},
		{"error without message", ".err usage\n", Answer{Code: "usage"}, ""},
		{"missing status", "a\nb\n", Answer{Lines: []string{"a", "b"}}, "daemon closed the connection"},
		{"half a status line", "a\n.o", Answer{Lines: []string{"a"}}, "daemon closed the connection"},
		{"nothing at all", "", Answer{}, "daemon closed the connection"},
		{"lone dot", ".\n", Answer{}, `protocol error: unexpected status line "."`},
		{"unknown status", ".okay\n", Answer{}, `protocol error: unexpected status line ".okay"`},
		{"error without code", ".err\n", Answer{}, `protocol error: unexpected status line ".err"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAnswer(bufio.NewReader(strings.NewReader(tt.in)), nil)
			if errText(err) != tt.err {
				t.Errorf("error: got %q, want %q", errText(err), tt.err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("answer: got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestReadAnswer_closedIsErrClosed(t *testing.T) {
	_, err := readAnswer(bufio.NewReader(strings.NewReader("a\n")), nil)
	if !errors.Is(err, errClosed) {
		t.Errorf("got %v, want errClosed", err)
	}
}

// With onLine the lines are handed over as they come and not kept, and
// the reader stops exactly after the status line.
func TestReadAnswer_onLineAndSequence(t *testing.T) {
	r := bufio.NewReader(strings.NewReader("one\n..two\n.ok\nthree\n.err usage bad\n"))
	var seen []string
	a, err := readAnswer(r, func(l string) { seen = append(seen, l) })
	if err != nil || !a.OK || a.Lines != nil {
		t.Errorf("first answer: got %+v, %v, want OK with no kept lines", a, err)
	}
	if want := []string{"one", ".two"}; !reflect.DeepEqual(seen, want) {
		t.Errorf("onLine: got %q, want %q", seen, want)
	}
	a, err = readAnswer(r, nil)
	want := Answer{Lines: []string{"three"}, Code: "usage", Message: "bad"}
	if err != nil || !reflect.DeepEqual(a, want) {
		t.Errorf("second answer: got %+v, %v, want %+v", a, err, want)
	}
}

func TestReadAnswer_longLines(t *testing.T) {
	big := strings.Repeat("x", maxAnswerLine)
	a, err := readAnswer(bufio.NewReaderSize(strings.NewReader(big+"\n.ok\n"), 64<<10), nil)
	if err != nil || len(a.Lines) != 1 || len(a.Lines[0]) != maxAnswerLine {
		t.Errorf("line of %d bytes: got %d lines, %v, want it accepted", maxAnswerLine, len(a.Lines), err)
	}
	for _, in := range []string{big + "x\n.ok\n", big + "\r\r\n.ok\n", big + "xxxxxxxx"} {
		_, err = readAnswer(bufio.NewReaderSize(strings.NewReader(in), 64<<10), nil)
		if want := "protocol error: answer line longer than 16777216 bytes"; errText(err) != want {
			t.Errorf("line of %d bytes: got %q, want %q", len(in), errText(err), want)
		}
	}
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
	if err != nil || !a.OK || len(a.Lines) != 3 {
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
// on the error net.Dial returns.
func TestDialError_permission(t *testing.T) {
	for _, errno := range []syscall.Errno{syscall.EACCES, syscall.EPERM} {
		err := &net.OpError{Op: "dial", Net: "unix", Err: os.NewSyscallError("connect", errno)}
		want := "permission denied connecting to /run/x.sock"
		if got := errText(dialError("/run/x.sock", err)); got != want {
			t.Errorf("%v: got %q, want %q", errno, got, want)
		}
	}
}
