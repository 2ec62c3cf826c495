package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

// Exit codes of the client, stable for scripts.
const (
	exitOK          = 0 // the command succeeded
	exitNotFound    = 1 // the daemon answered ".err not-found"
	exitError       = 2 // any other error answer, or bad usage
	exitUnavailable = 3 // the daemon could not be reached or the connection broke
	exitNoAnswer    = 4 // mount/unmount: the disk's holder did not answer in time
)

// runOneShot runs one command on the daemon and prints its answer, data
// lines as they arrive so that a streaming command such as "debug" shows
// live; a line on stdin ends such a stream (stream.go). Other commands do
// not touch stdin.
func runOneShot(socket string, jsonOut bool, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "diskd-actors: no command given")
		return exitError
	}
	line := lineproto.QuoteWords(args)
	quit := lineproto.IsQuit(line)
	if jsonOut && !quit {
		line = withJSON(line)
	}
	if err := lineproto.CheckCommand(line); err != nil {
		fmt.Fprintln(stderr, "diskd-actors:", err)
		return exitError
	}
	c, _, err := dial(socket, dialTimeout)
	if err != nil {
		fmt.Fprintln(stderr, "diskd-actors:", err)
		return exitUnavailable
	}
	defer c.Close()
	out := newLineWriter(stdout)
	var a lineproto.Answer
	if lineproto.Streams(line) {
		stop, release := inputLines(stdin)
		a, _, err = c.stream(line, out.println, stop)
		release()
	} else {
		a, err = c.roundTrip(line, out.println)
	}
	if err != nil && !(quit && errors.Is(err, errClosed)) {
		fmt.Fprintln(stderr, "diskd-actors:", err)
		return exitUnavailable
	}
	if out.err != nil {
		fmt.Fprintln(stderr, "diskd-actors: writing output:", out.err)
		return exitError
	}
	code := answerCode(a, err)
	if code != exitOK {
		newLineWriter(stderr).println("diskd-actors: " + a.Text())
	}
	if code == exitOK && out.lines <= 1 && isList(line) { // the header alone
		if hint := emptyListHint(c, socket); hint != "" {
			newLineWriter(stderr).println("diskd-actors: " + hint)
		}
	}
	return code
}

// answerCode maps an answer to an exit code. A quit answered by closing
// the connection (err set) counts as success.
func answerCode(a lineproto.Answer, err error) int {
	switch {
	case a.OK() || err != nil:
		return exitOK
	case a.Code == "not-found":
		return exitNotFound
	case a.Code == "no-answer":
		return exitNoAnswer
	default:
		return exitError
	}
}

// withJSON adds the --json word unless the line has it already.
func withJSON(line string) string {
	if r, err := lineproto.ParseRequest(line); err == nil && r.JSON {
		return line
	}
	return line + " --json"
}

// lineWriter prints whole lines and keeps the first write error. On a
// terminal it escapes control characters: labels come from other hosts'
// announcements, and a hostile one must not drive the user's terminal.
type lineWriter struct {
	w      io.Writer
	escape bool
	err    error
	lines  int // lines written
}

func newLineWriter(w io.Writer) *lineWriter {
	return &lineWriter{w: w, escape: isTerminalWriter(w)}
}

// println writes s and a newline; after a failure it writes nothing more.
func (lw *lineWriter) println(s string) {
	if lw.err != nil {
		return
	}
	if lw.escape {
		s = escapeControl(s)
	}
	_, lw.err = io.WriteString(lw.w, s+"\n")
	lw.lines++
}

// isTerminalWriter reports whether w is a file open on a terminal.
func isTerminalWriter(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// escapeControl replaces control characters (tab excepted) and invalid
// UTF-8 with visible escapes. The \uXXXX form keeps JSON text valid JSON.
func escapeControl(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || (unicode.IsControl(r) && r != '\t') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r) && r != '\t':
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
