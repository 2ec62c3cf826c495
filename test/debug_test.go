package test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/diskd-actors/diskd-actors/messages/lineproto"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// `debug` ends on a line from the client in every client mode, and what is
// typed after it runs (docs/operations.md, "The client and debug"). Each
// test adds a disk while the stream runs, so that the stream shows an
// event before it is ended.

// debugBed starts one daemon and returns it with a function that plugs in
// one more disk and has the daemon see it (a disk_added event).
func debugBed(t *testing.T) (*bed.Bed, *bed.Host, func() bed.Disk) {
	t.Helper()
	b := bed.New(t, bed.Options{Hosts: 1, Disks: func(i int) []bed.Disk { return bed.Disks(i, 1) }})
	h := b.Hosts[0]
	pollUntil(t, 15*time.Second, "the first disk listed", func() bool {
		ds, err := h.List()
		return err == nil && len(ds) == 1
	})
	n := 1
	plug := func() bed.Disk {
		t.Helper()
		n++
		ds := bed.Disks(0, n)
		if err := h.ChangeDisks(ds); err != nil {
			t.Fatal(err)
		}
		if err := h.Refresh(); err != nil {
			t.Fatal(err)
		}
		return ds[n-1]
	}
	return b, h, plug
}

// pollUntil polls cond until it holds, or fails the test after within.
// (Its own, so that this file depends on the bed alone.)
func pollUntil(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true within %v", what, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// screen collects what a process writes, safe to read meanwhile.
type screen struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *screen) waitCount(t *testing.T, what string, n int) {
	t.Helper()
	pollUntil(t, 15*time.Second, fmt.Sprintf("output shows %s %d times", what, n), func() bool { return strings.Count(s.String(), what) >= n })
}

func (s *screen) waitFor(t *testing.T, what string) {
	t.Helper()
	pollUntil(t, 15*time.Second, "output shows "+what, func() bool { return strings.Contains(s.String(), what) })
}

// waitExit waits for cmd to end and fails unless it exits 0.
func waitExit(t *testing.T, cmd *exec.Cmd, what string, out *screen) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("%s: %v, want exit 0\n%s", what, err, out)
		}
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%s: still running after 15s\n%s", what, out)
	}
}

// Piped: the line after debug ends the stream; it and the lines after it
// run as commands, in order.
func TestDebug_PipedClientEndsOnALine(t *testing.T) {
	t.Parallel()
	b, h, plug := debugBed(t)
	cmd := exec.Command(b.Bin, "--socket", h.Socket)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out, errs screen
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	io.WriteString(stdin, "debug\n")
	out.waitFor(t, "streaming events; send any line to stop")
	d := plug()
	out.waitFor(t, "disk_added")
	io.WriteString(stdin, "list\nwhere \""+d.Label+"\"\n")
	out.waitCount(t, d.Label, 3) // the event, list, where
	stdin.Close()
	waitExit(t, cmd, "piped client", &out)
	got := out.String()
	ev, list, where := strings.Index(got, "disk_added"), strings.Index(got, "NODE"), strings.LastIndex(got, "NODE")
	if ev < 0 || list < ev || where <= list || strings.Count(got, d.Label) < 3 {
		t.Errorf("want the event, then list, then where, each naming %q:\n%s", d.Label, got)
	}
	if errs.String() != "" {
		t.Errorf("stderr: %q, want nothing", errs.String())
	}
}

// One-shot: Enter on stdin ends the stream; the client exits 0 and leaves
// what follows the line unread.
func TestDebug_OneShotClientEndsOnEnter(t *testing.T) {
	t.Parallel()
	b, h, plug := debugBed(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	cmd := exec.Command(b.Bin, "--socket", h.Socket, "debug")
	cmd.Stdin = r
	var out, errs screen
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out.waitFor(t, "streaming events")
	plug()
	out.waitFor(t, "disk_added")
	io.WriteString(w, "\nnext command\n")
	waitExit(t, cmd, "one-shot debug after Enter", &out)
	w.Close()
	rest, _ := io.ReadAll(r)
	if string(rest) != "next command\n" {
		t.Errorf("left on stdin: %q, want %q", rest, "next command\n")
	}
	// The daemon ended the stream and serves on.
	if a, err := h.Query("list"); err != nil || !a.OK() {
		t.Errorf("list after the stream: %+v, %v", a, err)
	}
}

// At the prompt in a terminal: a command typed while debug streams ends it
// (the summary shows the events), runs, goes into the history, and the
// prompt comes back.
func TestDebug_PromptEndsOnACommand(t *testing.T) {
	t.Parallel()
	b, h, plug := debugBed(t)
	home := t.TempDir()
	cmd := exec.Command(b.Bin, "--socket", h.Socket)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_STATE_HOME=", "TERM=xterm")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	var out screen
	go io.Copy(&out, tty)
	out.waitFor(t, "diskd> ")
	io.WriteString(tty, "debug\r")
	out.waitFor(t, "streaming events")
	d := plug()
	out.waitFor(t, "disk_added")
	io.WriteString(tty, "where \""+d.Label+"\"\r")
	out.waitCount(t, "on "+h.Name, 2) // the greeting, then where's summary
	got := out.String()
	summary := regexp.MustCompile(`(?m)^\d+ events?\r?$`).FindStringIndex(got)
	if summary == nil || strings.LastIndex(got, "on "+h.Name) < summary[1] || strings.Count(got, d.Label) < 3 {
		t.Errorf("want the event, the stream's summary (N events), then where's answer:\n%s", got)
	}
	pollUntil(t, 15*time.Second, "the prompt again", func() bool {
		return strings.Count(out.String(), "diskd> ") >= 2
	})
	io.WriteString(tty, "\x04")
	waitExit(t, cmd, "prompt after Ctrl-D", &out)
	hist, err := os.ReadFile(filepath.Join(home, ".local", "state", "diskd-actors", "history"))
	if err != nil || !strings.Contains(string(hist), "where \""+d.Label+"\"") {
		t.Errorf("history: %q, %v; want the command typed during the stream", hist, err)
	}
}

// One-shot in a terminal: Enter ends the stream and the client exits 0.
func TestDebug_OneShotInPTYEndsOnEnter(t *testing.T) {
	t.Parallel()
	b, h, plug := debugBed(t)
	cmd := exec.Command(b.Bin, "--socket", h.Socket, "debug")
	cmd.Env = append(os.Environ(), "TERM=xterm")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	var out screen
	go io.Copy(&out, tty)
	out.waitFor(t, "streaming events")
	plug()
	out.waitFor(t, "disk_added")
	io.WriteString(tty, "\r")
	waitExit(t, cmd, "one-shot debug in a terminal after Enter", &out)
}

// The raw protocol, pipelined: the line after debug ends the stream (even
// if it arrives before the stream starts), the daemon consumes it, and the
// next line is answered as a command.
func TestDebug_RawPipelinedLines(t *testing.T) {
	t.Parallel()
	_, h, _ := debugBed(t)
	c, err := net.Dial("unix", h.Socket)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(15 * time.Second))
	r := lineproto.NewReader(c)
	if _, err := r.ReadLine(); err != nil {
		t.Fatalf("greeting: %v", err)
	}
	io.WriteString(c, "debug\n\nlist\n")
	a, err := r.ReadAnswer(nil)
	if err != nil || !a.OK() || !strings.HasSuffix(a.Message, "events") {
		t.Fatalf("debug ended by the next line: %+v, %v; want .ok N events", a, err)
	}
	a, err = r.ReadAnswer(nil)
	if err != nil || a.Message != "1 disk" {
		t.Errorf("list after debug: %+v, %v; want .ok 1 disk", a, err)
	}
}
