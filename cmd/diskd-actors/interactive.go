package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"

	"github.com/peterh/liner"
	"golang.org/x/term"

	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

// maxInputLine bounds one line of piped input.
const maxInputLine = 1 << 20

// stdioIsTerminal chooses between the line editor and the plain reader.
// liner reads os.Stdin and writes os.Stdout whatever it is given, and on
// piped input it splits long lines and loses history on Ctrl-C, so it is
// used only when both are those files and both are terminals. A variable so
// tests can decide the mode.
var stdioIsTerminal = func(stdin io.Reader, stdout io.Writer) bool {
	return stdin == io.Reader(os.Stdin) && stdout == io.Writer(os.Stdout) &&
		term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stdout.Fd()))
}

// runInteractive runs commands typed at a prompt, or read from stdin when
// stdin or stdout is not a terminal, on one connection to the daemon.
func runInteractive(socket string, jsonOut bool, stdin io.Reader, stdout, stderr io.Writer) int {
	c, greeting, err := dial(socket, dialTimeout)
	if err != nil {
		fmt.Fprintln(stderr, "diskd-actors:", err)
		return exitUnavailable
	}
	defer c.Close()
	s := &session{c: c, jsonOut: jsonOut, out: newLineWriter(stdout), errs: newLineWriter(stderr)}
	if stdioIsTerminal(stdin, stdout) {
		s.input = func() (<-chan string, func()) { return cookedLines(os.Stdin) }
		return runTerminal(s, greeting, stderr)
	}
	return runPiped(s, stdin, stderr)
}

// runPiped runs stdin's lines as commands, for scripts: no greeting, no
// prompt; the exit code is that of the last failed command, or 3 when the
// connection broke. While a stream runs, the next line ends it, and runs
// next unless it is blank.
func runPiped(s *session, stdin io.Reader, stderr io.Writer) int {
	lines, readErr, stopReading := scanLines(stdin)
	defer stopReading()
	s.input = func() (<-chan string, func()) { return lines, func() {} }
	rc := exitOK
	for line := range lines {
		for line = strings.TrimSpace(line); line != ""; {
			code, alive, next := s.run(line)
			if s.out.err != nil {
				fmt.Fprintln(stderr, "diskd-actors: writing output:", s.out.err)
				return exitError
			}
			if code != exitOK {
				rc = code
			}
			if !alive {
				return rc
			}
			line = strings.TrimSpace(next)
		}
	}
	if err := readErr(); err != nil {
		fmt.Fprintln(stderr, "diskd-actors: reading input:", err)
		return exitError
	}
	return rc
}

// scanLines reads r's lines in a goroutine, each handed over when asked
// for; the channel closes at the end of input, after which readErr tells
// why. stop ends the reading early.
func scanLines(r io.Reader) (lines <-chan string, readErr func() error, stop func()) {
	ch := make(chan string)
	quit := make(chan struct{})
	var err error
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 64<<10), maxInputLine)
		for sc.Scan() {
			select {
			case ch <- sc.Text():
			case <-quit:
				return
			}
		}
		err = sc.Err()
	}()
	var once sync.Once
	return ch, func() error { return err }, func() { once.Do(func() { close(quit) }) }
}

// runTerminal is the line-editing prompt. Ctrl-C at the prompt drops the
// line; Ctrl-D, quit and exit leave with 0; a lost daemon leaves with 3.
func runTerminal(s *session, greeting string, stderr io.Writer) int {
	ln := liner.NewLiner()
	defer ln.Close()
	ln.SetCtrlCAborts(true)
	ln.SetWordCompleter(completeWord)
	hist, err := historyPath()
	if err == nil {
		err = loadHistory(ln, hist)
		defer func() {
			if err := saveHistory(ln, hist); err != nil {
				fmt.Fprintln(stderr, "diskd-actors: saving history:", err)
			}
		}()
	}
	if err != nil {
		fmt.Fprintln(stderr, "diskd-actors: history:", err)
	}
	// Between prompts liner leaves ISIG on, so Ctrl-C during an answer
	// arrives as SIGINT, not as a key for liner.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer func() { signal.Stop(sig); close(sig) }()
	go func() {
		for range sig {
			s.interrupt()
		}
	}()
	s.summary = true
	s.out.println(greeting)
	for {
		line, err := ln.Prompt("diskd> ")
		switch {
		case errors.Is(err, liner.ErrPromptAborted):
			continue
		case errors.Is(err, io.EOF):
			s.out.println("")
			return exitOK
		case err != nil:
			fmt.Fprintln(stderr, "diskd-actors: reading input:", err)
			return exitError
		}
		// A line typed to end a stream runs next, as if typed at the prompt.
		for line = strings.TrimSpace(line); line != ""; line = strings.TrimSpace(line) {
			ln.AppendHistory(line)
			code, alive, next := s.run(line)
			if !alive {
				return code
			}
			line = next
		}
	}
}

// session runs commands on one connection for both interactive modes.
type session struct {
	c         *conn
	jsonOut   bool
	summary   bool // print ".ok" summaries, for people at a terminal
	out, errs *lineWriter
	// input gives the lines that end a stream, and a release to call when
	// the stream is over.
	input func() (<-chan string, func())

	mu   sync.Mutex
	busy bool // a command is waiting for its answer
	hits int  // interrupts during the current command
}

// run sends one command line and prints its answer. It returns the
// command's exit code, whether the session can go on (not after quit or
// once the connection is broken), and the line typed to end a stream, if
// any, for the caller to run next.
func (s *session) run(line string) (code int, alive bool, next string) {
	quit := lineproto.IsQuit(line)
	if s.jsonOut && !quit {
		line = withJSON(line)
	}
	if err := lineproto.CheckCommand(line); err != nil {
		s.errs.println("error: " + err.Error())
		return exitError, true, ""
	}
	s.setBusy(true)
	printed := s.out.lines
	var a lineproto.Answer
	var err error
	if lineproto.Streams(line) && s.input != nil {
		stop, release := s.input()
		a, next, err = s.c.stream(line, s.out.println, stop)
		release()
	} else {
		a, err = s.c.roundTrip(line, s.out.println)
	}
	hits := s.setBusy(false)
	switch {
	case quit:
		if a.OK() && s.summary && a.Message != "" {
			s.out.println(a.Message)
		}
		return exitOK, false, ""
	case err != nil && hits > 1:
		s.errs.println("diskd-actors: interrupted; connection closed")
		return exitUnavailable, false, ""
	case err != nil:
		s.errs.println("diskd-actors: " + err.Error())
		return exitUnavailable, false, ""
	case !a.OK():
		s.errs.println("error: " + a.Text())
		return answerCode(a, nil), true, next
	}
	empty := s.out.lines-printed <= 1 // the header alone
	if s.summary && a.Message != "" {
		s.out.println(a.Message)
	}
	if empty && isList(line) {
		if hint := emptyListHint(s.c, s.c.nc.RemoteAddr().String()); hint != "" {
			s.errs.println(hint)
		}
	}
	return exitOK, true, next
}

// setBusy marks a command as in flight or done and returns the number of
// interrupts it received.
func (s *session) setBusy(b bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	hits := s.hits
	s.busy, s.hits = b, 0
	return hits
}

// interrupt handles Ctrl-C while an answer is awaited. The first sends an
// empty line, which ends a streaming answer such as "debug" (the daemon
// ignores empty lines otherwise); the second gives up on the daemon.
func (s *session) interrupt() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.busy {
		return
	}
	s.hits++
	if s.hits == 1 {
		_ = s.c.send("")
	} else {
		s.c.Close()
	}
}

// completeWord completes the command word, and --json after it. pos counts
// runes, as liner does.
func completeWord(line string, pos int) (head string, words []string, tail string) {
	r := []rune(line)
	if pos < 0 || pos > len(r) {
		pos = len(r)
	}
	before, tail := string(r[:pos]), string(r[pos:])
	start := strings.LastIndexAny(before, " \t") + 1
	head, word := before[:start], before[start:]
	candidates := lineproto.Words()
	if strings.TrimSpace(head) != "" {
		candidates = []string{"--json"}
	}
	for _, c := range candidates {
		if strings.HasPrefix(c, word) {
			words = append(words, c)
		}
	}
	return head, words, tail
}

// historyPath is $XDG_STATE_HOME/diskd-actors/history, or the XDG default
// under $HOME; a relative XDG_STATE_HOME is invalid by the XDG spec.
func historyPath() (string, error) {
	dir := os.Getenv("XDG_STATE_HOME")
	if !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "diskd-actors", "history"), nil
}

// loadHistory creates the history directory, private, and reads the file
// if there is one.
func loadHistory(h interface{ ReadHistory(io.Reader) (int, error) }, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = h.ReadHistory(f)
	return err
}

// saveHistory writes the history to a temporary file (mode 0600) and
// renames it into place, so a crash or a second session never leaves a
// half-written file.
func saveHistory(h interface{ WriteHistory(io.Writer) (int, error) }, path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".history-*")
	if err != nil {
		return err
	}
	_, werr := h.WriteHistory(f)
	if err := errors.Join(werr, f.Close()); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}
