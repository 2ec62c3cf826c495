package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

const testGreeting = `diskd-actors 0.1.0 on host1 ready (protocol 1); type "help"`

// fakeDaemon speaks the client protocol on a Unix socket in a temporary
// directory, with canned answers, and records the command lines it gets.
type fakeDaemon struct {
	path      string
	greeting  string        // sent on connect; empty: never greet
	streaming chan struct{} // receives once "debug" has sent its first lines
	release   chan struct{} // closed by a test to end "debug" from the daemon side
	received  chan string   // every command line, in order

	mu    sync.Mutex
	lines []string
}

func startFake(t *testing.T, greeting string) *fakeDaemon {
	t.Helper()
	f := &fakeDaemon{
		path:      filepath.Join(t.TempDir(), "diskd.sock"),
		greeting:  greeting,
		streaming: make(chan struct{}, 1),
		release:   make(chan struct{}),
		received:  make(chan string, 100),
	}
	ln, err := net.Listen("unix", f.path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var cmu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		cmu.Lock()
		for _, c := range conns {
			c.Close()
		}
		cmu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			cmu.Lock()
			conns = append(conns, c)
			cmu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				f.serve(c)
			}()
		}
	}()
	return f
}

// got returns the command lines received so far.
func (f *fakeDaemon) got() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.lines...)
}

func (f *fakeDaemon) serve(c net.Conn) {
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	if f.greeting == "" {
		_, _ = r.ReadByte() // hold the connection until the client goes
		return
	}
	w.WriteString(f.greeting + "\n")
	w.Flush()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimSuffix(line, "\n")
		f.mu.Lock()
		f.lines = append(f.lines, line)
		f.mu.Unlock()
		f.received <- line
		more := f.answer(line, r, w)
		if w.Flush() != nil || !more {
			return
		}
	}
}

// answer writes the canned answer to one line; false closes the connection.
func (f *fakeDaemon) answer(line string, r *bufio.Reader, w *bufio.Writer) bool {
	switch line {
	case "":
		// a blank line gets no answer, as from the real daemon
	case "list":
		w.WriteString("NODE   LABEL\nhost1  root\n..hidden\n.ok 2 disks\n")
	case "list --json":
		w.WriteString(`{"disks":[{"node":"host1","label":".hidden"}]}` + "\n.ok\n")
	case `where "backup 2"`:
		w.WriteString("host2  backup 2\n.ok\n")
	case "where nothing":
		w.WriteString(".err not-found no disk matches \"nothing\"\n")
	case "crash":
		w.WriteString("half a li")
		return false
	case "hang":
		_, _ = io.Copy(io.Discard, r) // no answer, whatever comes, until the client goes
		return false
	case "quit":
		w.WriteString(".ok bye\n")
		return false
	case "exit":
		return false // the daemon may also just close
	case "debug":
		w.WriteString("event 1\nevent 2\n")
		w.Flush()
		select {
		case f.streaming <- struct{}{}:
		default: // nobody waits for a second stream
		}
		stop := make(chan string, 1)
		go func() {
			l, _ := r.ReadString('\n')
			stop <- l
		}()
		w.WriteString("event 3\n")
		select {
		case l := <-stop:
			f.mu.Lock()
			f.lines = append(f.lines, strings.TrimSuffix(l, "\n"))
			f.mu.Unlock()
		case <-f.release:
			// The reading goroutine still owns r: answer, then close.
			w.WriteString(".ok stopped\n")
			return false
		}
		w.WriteString(".ok stopped\n")
	default:
		word, _, _ := strings.Cut(line, " ")
		w.WriteString(".err unknown-command unknown command \"" + word + "\"; type help\n")
	}
	return true
}

// syncBuffer is a bytes.Buffer safe to read while a client writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond until it holds or a deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestRunOneShot(t *testing.T) {
	f := startFake(t, testGreeting)
	tests := []struct {
		name       string
		json       bool
		args       []string
		sent       string
		code       int
		out, stder string
	}{
		{"ok with dot-stuffing", false, []string{"list"}, "list", exitOK,
			"NODE   LABEL\nhost1  root\n.hidden\n", ""},
		{"json", true, []string{"list"}, "list --json", exitOK,
			`{"disks":[{"node":"host1","label":".hidden"}]}` + "\n", ""},
		{"json given twice", true, []string{"list", "--json"}, "list --json", exitOK,
			`{"disks":[{"node":"host1","label":".hidden"}]}` + "\n", ""},
		{"quoted argument", false, []string{"where", "backup 2"}, `where "backup 2"`, exitOK,
			"host2  backup 2\n", ""},
		{"not found", false, []string{"where", "nothing"}, "where nothing", exitNotFound,
			"", "diskd-actors: no disk matches \"nothing\"\n"},
		{"unknown command", false, []string{"bogus", "x"}, "bogus x", exitError,
			"", "diskd-actors: unknown command \"bogus\"; type help\n"},
		{"connection closed mid-answer", false, []string{"crash"}, "crash", exitUnavailable,
			"", "diskd-actors: daemon closed the connection\n"},
		{"quit answered", true, []string{"quit"}, "quit", exitOK, "", ""},
		{"exit answered by closing", false, []string{"exit"}, "exit", exitOK, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			code := runOneShot(f.path, tt.json, tt.args, nil, &out, &errs)
			if code != tt.code {
				t.Errorf("exit code: got %d, want %d", code, tt.code)
			}
			if got := <-f.received; got != tt.sent {
				t.Errorf("sent: got %q, want %q", got, tt.sent)
			}
			if out.String() != tt.out {
				t.Errorf("stdout: got %q, want %q", out.String(), tt.out)
			}
			if errs.String() != tt.stder {
				t.Errorf("stderr: got %q, want %q", errs.String(), tt.stder)
			}
		})
	}
}

func TestRunOneShot_refusedBeforeConnecting(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.sock")
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no command", nil, exitError, "diskd-actors: no command given\n"},
		{"line break", []string{"where", "a\nlist"}, exitError, "diskd-actors: a command cannot contain a line break\n"},
		{"too long", []string{"where", strings.Repeat("x", lineproto.MaxCommandLine)}, exitError,
			"diskd-actors: command too long: 4102 bytes, at most 4096\n"},
		{"no daemon", []string{"list"}, exitUnavailable, "diskd-actors: daemon not running: no socket at " +
			missing + " (start it with \"diskd-actors daemon\")\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			if code := runOneShot(missing, false, tt.args, nil, &out, &errs); code != tt.code {
				t.Errorf("exit code: got %d, want %d", code, tt.code)
			}
			if errs.String() != tt.err {
				t.Errorf("stderr: got %q, want %q", errs.String(), tt.err)
			}
			if out.Len() != 0 {
				t.Errorf("stdout: got %q, want %q", out.String(), "")
			}
		})
	}
}

// A streaming answer is printed line by line before its status line comes.
func TestRunOneShot_streams(t *testing.T) {
	f := startFake(t, testGreeting)
	var out, errs syncBuffer
	done := make(chan int, 1)
	go func() { done <- runOneShot(f.path, false, []string{"debug"}, never(t), &out, &errs) }()
	<-f.streaming
	waitFor(t, "the first streamed lines", func() bool { return out.String() == "event 1\nevent 2\n" })
	close(f.release)
	if code := <-done; code != exitOK {
		t.Errorf("exit code: got %d, want %d", code, exitOK)
	}
	if want := "event 1\nevent 2\nevent 3\n"; out.String() != want {
		t.Errorf("stdout: got %q, want %q", out.String(), want)
	}
}

func TestQuoteArgs(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"list"}, "list"},
		{[]string{"where", "backup 2"}, `where "backup 2"`},
		{[]string{"where", "tab\there"}, "where \"tab\there\""},
		{[]string{"where", `say "hi"`}, `where "say \"hi\""`},
		{[]string{"where", `a"b`}, `where "a\"b"`},
		{[]string{"where", `C:\x`}, `where "C:\\x"`},
		{[]string{"where", ""}, `where ""`},
		{[]string{"where", "étiquette"}, "where étiquette"},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := lineproto.QuoteWords(tt.args); got != tt.want {
			t.Errorf("QuoteWords(%q): got %q, want %q", tt.args, got, tt.want)
		}
	}
}

func TestWithJSONAndIsQuit(t *testing.T) {
	for line, want := range map[string]string{
		"list": "list --json", "list --json": "list --json", "--json list": "--json list",
		`where "--json x"`: `where "--json x" --json`,
	} {
		if got := withJSON(line); got != want {
			t.Errorf("withJSON(%q): got %q, want %q", line, got, want)
		}
	}
	for line, want := range map[string]bool{"quit": true, "exit now": true, " quit": true,
		"quitter": false, "list": false, "": false} {
		if got := lineproto.IsQuit(line); got != want {
			t.Errorf("IsQuit(%q): got %v, want %v", line, got, want)
		}
	}
}

func TestEscapeControl(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain\ttext é", "plain\ttext é"},
		{"\x1b]0;owned\x07", `\u001b]0;owned\u0007`},
		{"del\x7f c1\u009b", `del\u007f c1\u009b`},
		{"bad\xffutf8", `bad\xffutf8`},
		{`{"label":"\u001b"}`, `{"label":"\u001b"}`},
	}
	for _, tt := range tests {
		if got := escapeControl(tt.in); got != tt.want {
			t.Errorf("escapeControl(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	w.n++
	return 0, errors.New("disk full")
}

func TestLineWriter(t *testing.T) {
	var b bytes.Buffer
	lw := &lineWriter{w: &b, escape: true}
	lw.println("a\x1bb")
	if want := "a\\u001bb\n"; b.String() != want {
		t.Errorf("escaped: got %q, want %q", b.String(), want)
	}
	if newLineWriter(&b).escape {
		t.Errorf("escape on a buffer: got true, want false")
	}
	fw := &failWriter{}
	lw = &lineWriter{w: fw}
	lw.println("one")
	lw.println("two")
	if lw.err == nil || fw.n != 1 {
		t.Errorf("after a failed write: got err %v and %d writes, want an error and 1 write", lw.err, fw.n)
	}
}

// never is an input that has no line until the test ends.
func never(t *testing.T) io.Reader {
	r, w := io.Pipe()
	t.Cleanup(func() { w.Close() })
	return r
}
