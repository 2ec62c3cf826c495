package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/peterh/liner"

	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

func TestRunInteractive_piped(t *testing.T) {
	tests := []struct {
		name, in   string
		json       bool
		sent       []string
		code       int
		out, stder string
	}{
		{"errors keep going; last failure wins", "list\n\n   \nwhere nothing\r\nbogus\nlist\n", false,
			[]string{"list", "where nothing", "bogus", "list"}, exitError,
			"NODE   LABEL\nhost1  root\n.hidden\nNODE   LABEL\nhost1  root\n.hidden\n",
			"error: no disk matches \"nothing\"\nerror: unknown command \"bogus\"; type help\n"},
		{"not found last", "bogus\nwhere nothing", false, []string{"bogus", "where nothing"}, exitNotFound, "",
			"error: unknown command \"bogus\"; type help\nerror: no disk matches \"nothing\"\n"},
		{"quit stops reading", "  list  \nquit\nlist\n", false, []string{"list", "quit"}, exitOK,
			"NODE   LABEL\nhost1  root\n.hidden\n", ""},
		{"exit closed by the daemon", "exit\nlist\n", false, []string{"exit"}, exitOK, "", ""},
		{"json added once", "list\nlist --json\nquit\n", true, []string{"list --json", "list --json", "quit"}, exitOK,
			strings.Repeat(`{"disks":[{"node":"host1","label":".hidden"}]}`+"\n", 2), ""},
		{"connection lost", "where nothing\ncrash\nlist\n", false, []string{"where nothing", "crash"}, exitUnavailable, "",
			"error: no disk matches \"nothing\"\ndiskd-actors: daemon closed the connection\n"},
		{"overlong command skipped", "where " + strings.Repeat("x", lineproto.MaxCommandLine) + "\nlist\n", false,
			[]string{"list"}, exitError, "NODE   LABEL\nhost1  root\n.hidden\n",
			"error: command too long: 4102 bytes, at most 4096\n"},
		{"overlong input stops", "list\n" + strings.Repeat("x", maxInputLine+1) + "\nlist\n", false,
			[]string{"list"}, exitError, "NODE   LABEL\nhost1  root\n.hidden\n",
			"diskd-actors: reading input: bufio.Scanner: token too long\n"},
		{"empty input", "", false, nil, exitOK, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startFake(t, testGreeting)
			var out, errs bytes.Buffer
			code := runInteractive(f.path, tt.json, strings.NewReader(tt.in), &out, &errs)
			if code != tt.code {
				t.Errorf("exit code: got %d, want %d", code, tt.code)
			}
			if out.String() != tt.out {
				t.Errorf("stdout: got %q, want %q", out.String(), tt.out)
			}
			if errs.String() != tt.stder {
				t.Errorf("stderr: got %q, want %q", errs.String(), tt.stder)
			}
			// The daemon may still be reading the last line after the client left.
			waitFor(t, "the commands", func() bool { return len(f.got()) >= len(tt.sent) })
			if got := f.got(); !reflect.DeepEqual(got, tt.sent) {
				t.Errorf("sent: got %q, want %q", got, tt.sent)
			}
		})
	}
}

func TestRunInteractive_noDaemon(t *testing.T) {
	var out, errs bytes.Buffer
	sock := filepath.Join(t.TempDir(), "none.sock")
	if code := runInteractive(sock, false, strings.NewReader("list\n"), &out, &errs); code != exitUnavailable {
		t.Errorf("exit code: got %d, want %d", code, exitUnavailable)
	}
	if want := "diskd-actors: daemon not running: no socket at " + sock + " (start it with \"diskd-actors daemon\")\n"; errs.String() != want {
		t.Errorf("stderr: got %q, want %q", errs.String(), want)
	}
}

func TestStdioIsTerminal_buffers(t *testing.T) {
	if stdioIsTerminal(strings.NewReader(""), &bytes.Buffer{}) {
		t.Errorf("got true for buffers, want false")
	}
}

// newSession connects a session as the terminal mode sets it up.
func newSession(t *testing.T, f *fakeDaemon, out, errs *syncBuffer) *session {
	t.Helper()
	c, _, err := dial(f.path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &session{c: c, summary: true, out: &lineWriter{w: out}, errs: &lineWriter{w: errs}}
}

func TestSession_summaries(t *testing.T) {
	f := startFake(t, testGreeting)
	var out, errs syncBuffer
	s := newSession(t, f, &out, &errs)
	for _, line := range []string{"list", "quit"} {
		s.run(line)
	}
	if want := "NODE   LABEL\nhost1  root\n.hidden\n2 disks\nbye\n"; out.String() != want {
		t.Errorf("stdout: got %q, want %q", out.String(), want)
	}
}

// Ctrl-C during a streaming answer sends a blank line, which ends it; the
// session goes on.
func TestSession_interruptEndsStream(t *testing.T) {
	f := startFake(t, testGreeting)
	var out, errs syncBuffer
	s := newSession(t, f, &out, &errs)
	s.interrupt() // idle: nothing is sent
	type result struct {
		code  int
		alive bool
	}
	done := make(chan result, 1)
	go func() {
		code, alive, _ := s.run("debug")
		done <- result{code, alive}
	}()
	<-f.streaming
	s.interrupt()
	if r := <-done; r != (result{exitOK, true}) {
		t.Errorf("run: got %+v, want %+v", r, result{exitOK, true})
	}
	if want := []string{"debug", ""}; !reflect.DeepEqual(f.got(), want) {
		t.Errorf("sent: got %q, want %q", f.got(), want)
	}
	if want := "event 1\nevent 2\nevent 3\nstopped\n"; out.String() != want {
		t.Errorf("stdout: got %q, want %q", out.String(), want)
	}
}

// A second Ctrl-C gives up on a daemon that does not answer.
func TestSession_secondInterruptCloses(t *testing.T) {
	f := startFake(t, testGreeting)
	var out, errs syncBuffer
	s := newSession(t, f, &out, &errs)
	done := make(chan bool, 1)
	go func() {
		code, alive, _ := s.run("hang")
		done <- code == exitUnavailable && !alive
	}()
	if got := <-f.received; got != "hang" {
		t.Fatalf("sent: got %q, want %q", got, "hang")
	}
	s.interrupt()
	s.interrupt()
	if !<-done {
		t.Errorf("run after two interrupts: got a live session, want exit code 3 and the end")
	}
	if want := "diskd-actors: interrupted; connection closed\n"; errs.String() != want {
		t.Errorf("stderr: got %q, want %q", errs.String(), want)
	}
}

func TestCompleteWord(t *testing.T) {
	tests := []struct {
		line      string
		pos       int
		head      string
		words     []string
		tail      string
		whatsThis string
	}{
		{"li", 2, "", []string{"list"}, "", "command prefix"},
		{"l", 1, "", []string{"list", "localhost"}, "", "two commands"},
		{"pe list", 2, "", []string{"peers"}, " list", "cursor inside"},
		{"where --j", 9, "where ", []string{"--json"}, "", "flag"},
		{"where ba", 8, "where ", nil, "", "argument"},
		{"é -", 3, "é ", []string{"--json"}, "", "rune positions"},
		{"zz", 2, "", nil, "", "no match"},
	}
	for _, tt := range tests {
		head, words, tail := completeWord(tt.line, tt.pos)
		if head != tt.head || !reflect.DeepEqual(words, tt.words) || tail != tt.tail {
			t.Errorf("%s: got %q %q %q, want %q %q %q", tt.whatsThis, head, words, tail, tt.head, tt.words, tt.tail)
		}
	}
	if _, words, _ := completeWord("", 0); !reflect.DeepEqual(words, lineproto.Words()) {
		t.Errorf("empty line: got %q, want %q", words, lineproto.Words())
	}
}

func TestHistoryPath(t *testing.T) {
	t.Setenv("HOME", "/home/u")
	for xdg, want := range map[string]string{
		"/state":   "/state/diskd-actors/history",
		"":         "/home/u/.local/state/diskd-actors/history",
		"relative": "/home/u/.local/state/diskd-actors/history",
	} {
		t.Setenv("XDG_STATE_HOME", xdg)
		if got, err := historyPath(); got != want || err != nil {
			t.Errorf("XDG_STATE_HOME=%q: got %q, %v, want %q", xdg, got, err, want)
		}
	}
}

func TestHistory_saveAndLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "diskd-actors", "history")
	h := new(liner.State)
	if err := loadHistory(h, path); err != nil {
		t.Fatalf("loading a missing file: got %v, want nil", err)
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("history directory: got %v, %v, want mode 0700", fi, err)
	}
	h.AppendHistory("list")
	h.AppendHistory(`where "backup 2"`)
	if err := saveHistory(h, path); err != nil {
		t.Fatal(err)
	}
	if err := saveHistory(h, path); err != nil { // over an existing file
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("history file: got %v, %v, want mode 0600", fi, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("files in the history directory: got %d, want 1 (no temporary files left)", len(entries))
	}
	h2 := new(liner.State)
	if err := loadHistory(h2, path); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	h2.WriteHistory(&b)
	if want := "list\nwhere \"backup 2\"\n"; b.String() != want {
		t.Errorf("loaded history: got %q, want %q", b.String(), want)
	}
}
