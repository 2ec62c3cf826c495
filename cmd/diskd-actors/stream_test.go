package main

import (
	"bytes"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// In the one-shot client, a line on stdin ends "debug": the client sends
// an empty line and prints the rest of the stream; the exit code is 0.
func TestRunOneShot_lineEndsStream(t *testing.T) {
	f := startFake(t, testGreeting)
	in, typing := io.Pipe()
	defer typing.Close()
	var out, errs syncBuffer
	done := make(chan int, 1)
	go func() { done <- runOneShot(f.path, false, []string{"debug"}, in, &out, &errs) }()
	<-f.streaming
	io.WriteString(typing, "list\n")
	if code := <-done; code != exitOK {
		t.Errorf("exit code: got %d, want %d (stderr %q)", code, exitOK, errs.String())
	}
	if want := []string{"debug", ""}; !reflect.DeepEqual(f.got(), want) {
		t.Errorf("sent: got %q, want %q", f.got(), want)
	}
	if want := "event 1\nevent 2\nevent 3\n"; out.String() != want {
		t.Errorf("stdout: got %q, want %q", out.String(), want)
	}
}

// On a real file descriptor (a terminal or a pipe) the one-shot client
// reads exactly one line: what was typed after it is left for the shell.
func TestRunOneShot_leavesTheRestOfStdin(t *testing.T) {
	f := startFake(t, testGreeting)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out, errs syncBuffer
	done := make(chan int, 1)
	go func() { done <- runOneShot(f.path, false, []string{"debug"}, r, &out, &errs) }()
	<-f.streaming
	io.WriteString(w, "\nls -l\n")
	w.Close()
	if code := <-done; code != exitOK {
		t.Errorf("exit code: got %d, want %d (stderr %q)", code, exitOK, errs.String())
	}
	rest, _ := io.ReadAll(r)
	if string(rest) != "ls -l\n" {
		t.Errorf("left on stdin: got %q, want %q", rest, "ls -l\n")
	}
}

// Other commands never read stdin (a script's loop may own it).
func TestRunOneShot_otherCommandsLeaveStdin(t *testing.T) {
	f := startFake(t, testGreeting)
	in := strings.NewReader("keep\n")
	var out, errs bytes.Buffer
	if code := runOneShot(f.path, false, []string{"list"}, in, &out, &errs); code != exitOK {
		t.Fatalf("exit code %d: %s", code, errs.String())
	}
	if in.Len() != len("keep\n") {
		t.Errorf("stdin was read: %d bytes left, want %d", in.Len(), len("keep\n"))
	}
}

// Piped: the line after "debug" ends it and, when it is a command, runs
// next; a blank line ends it and is not sent on; later lines run in turn.
func TestRunInteractive_pipedDebug(t *testing.T) {
	tests := []struct {
		name, in string
		sent     []string
		out      string
	}{
		{"a command ends the stream and runs", "debug\nlist\nwhere \"backup 2\"\n", []string{"debug", "", "list", `where "backup 2"`},
			"event 1\nevent 2\nevent 3\nNODE   LABEL\nhost1  root\n.hidden\nhost2  backup 2\n"},
		{"a blank line ends it", "debug\n\n   \nlist\n", []string{"debug", "", "list"},
			"event 1\nevent 2\nevent 3\nNODE   LABEL\nhost1  root\n.hidden\n"},
		{"twice", "debug\ndebug\nquit\n", []string{"debug", "", "debug", "", "quit"},
			"event 1\nevent 2\nevent 3\nevent 1\nevent 2\nevent 3\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startFake(t, testGreeting)
			var out, errs bytes.Buffer
			code := runInteractive(f.path, false, strings.NewReader(tt.in), &out, &errs)
			if code != exitOK {
				t.Errorf("exit code: got %d, want %d (stderr %q)", code, exitOK, errs.String())
			}
			waitFor(t, "the commands", func() bool { return len(f.got()) >= len(tt.sent) })
			if got := f.got(); !reflect.DeepEqual(got, tt.sent) {
				t.Errorf("sent: got %q, want %q", got, tt.sent)
			}
			if out.String() != tt.out {
				t.Errorf("stdout: got %q, want %q", out.String(), tt.out)
			}
		})
	}
}

// The end of piped input does not end a stream: "echo debug | diskd-actors"
// streams until the daemon ends it.
func TestRunInteractive_pipedDebugAtEndOfInput(t *testing.T) {
	f := startFake(t, testGreeting)
	var out, errs syncBuffer
	done := make(chan int, 1)
	go func() { done <- runInteractive(f.path, false, strings.NewReader("debug\n"), &out, &errs) }()
	<-f.streaming
	select {
	case code := <-done:
		t.Fatalf("the client left with %d at the end of its input, want it streaming", code)
	default:
	}
	close(f.release)
	if code := <-done; code != exitOK {
		t.Errorf("exit code: got %d, want %d", code, exitOK)
	}
	if want := []string{"debug"}; !reflect.DeepEqual(f.got(), want) {
		t.Errorf("sent: got %q, want %q", f.got(), want)
	}
}

// The prompt's session: the line typed to end a stream comes back to run
// next, and the summary is shown.
func TestSession_typedLineRunsNext(t *testing.T) {
	f := startFake(t, testGreeting)
	var out, errs syncBuffer
	s := newSession(t, f, &out, &errs)
	typed := make(chan string, 1)
	released := false
	s.input = func() (<-chan string, func()) { return typed, func() { released = true } }
	go func() { <-f.streaming; typed <- "list" }()
	code, alive, next := s.run("debug")
	if code != exitOK || !alive || next != "list" || !released {
		t.Errorf("run: got %d, %v, next %q, released %v; want 0, true, next list, released", code, alive, next, released)
	}
	if want := "event 1\nevent 2\nevent 3\nstopped\n"; out.String() != want {
		t.Errorf("stdout: got %q, want %q", out.String(), want)
	}
}

// Released before a line comes, the file reader stops without taking
// what is typed later: that belongs to the prompt.
func TestFileLines_releaseReadsNothingMore(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	lines, release := fileLines(r)
	release()
	if _, ok := <-lines; ok {
		t.Errorf("got a line after release, want the channel closed")
	}
	io.WriteString(w, "for the prompt\n")
	r.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64)
	n, err := r.Read(buf)
	if string(buf[:n]) != "for the prompt\n" {
		t.Errorf("read after release: got %q, %v; want the whole line", buf[:n], err)
	}
}

func TestFileLines_endOfInput(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	lines, release := fileLines(r)
	defer release()
	io.WriteString(w, "last line without LF\r")
	w.Close()
	if l := <-lines; l != "last line without LF\r" {
		t.Errorf("got %q, want the partial line", l)
	}
	if _, ok := <-lines; ok {
		t.Errorf("channel open after end of input")
	}
}

func TestReadByteLine(t *testing.T) {
	in := strings.NewReader("crlf\r\n" + strings.Repeat("x", maxInputLine+5))
	read := func(b []byte) (int, error) { return in.Read(b) }
	if l, err := readByteLine(read); l != "crlf" || err != nil {
		t.Errorf("crlf: got %q, %v", l, err)
	}
	if l, err := readByteLine(read); len(l) != maxInputLine || err != nil {
		t.Errorf("long line: got %d bytes, %v; want it cut at %d", len(l), err, maxInputLine)
	}
}
