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
)

// Exit codes of the client, stable for scripts.
const (
	exitOK          = 0 // the command succeeded
	exitNotFound    = 1 // the daemon answered ".err not-found"
	exitError       = 2 // any other error answer, or bad usage
	exitUnavailable = 3 // the daemon could not be reached or the connection broke
)

// runOneShot runs one command on the daemon and prints its answer, data
// lines as they arrive so a streaming command such as "debug" shows live.
func runOneShot(socket string, jsonOut bool, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "diskd-actors: no command given")
		return exitError
	}
	line := quoteArgs(args)
	if jsonOut && !isQuit(line) {
		line = withJSON(line)
	}
	if err := checkCommand(line); err != nil {
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
	a, err := c.roundTrip(line, out.println)
	if err != nil && !(isQuit(line) && errors.Is(err, errClosed)) {
		fmt.Fprintln(stderr, "diskd-actors:", err)
		return exitUnavailable
	}
	if out.err != nil {
		fmt.Fprintln(stderr, "diskd-actors: writing output:", out.err)
		return exitError
	}
	code := answerCode(a, err)
	if code != exitOK {
		newLineWriter(stderr).println("diskd-actors: " + a.text())
	}
	return code
}

// answerCode maps an answer to an exit code. A quit answered by closing
// the connection (err set) counts as success.
func answerCode(a Answer, err error) int {
	switch {
	case a.OK || err != nil:
		return exitOK
	case a.Code == "not-found":
		return exitNotFound
	default:
		return exitError
	}
}

// quoteArgs joins args into one command line, double-quoting any word the
// daemon would otherwise split or misread, such as the label "backup 2".
func quoteArgs(args []string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if a != "" && !strings.ContainsAny(a, " \t\"\\") {
			b.WriteString(a)
			continue
		}
		b.WriteByte('"')
		for _, r := range a {
			if r == '"' || r == '\\' {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		b.WriteByte('"')
	}
	return b.String()
}

// withJSON adds the --json word unless the line has it already.
func withJSON(line string) string {
	for _, w := range strings.Fields(line) {
		if w == "--json" {
			return line
		}
	}
	return line + " --json"
}

// isQuit reports whether the line asks the daemon to close the connection.
func isQuit(line string) bool {
	f := strings.Fields(line)
	return len(f) > 0 && (f[0] == "quit" || f[0] == "exit")
}

// checkCommand refuses lines the framing cannot carry: a newline would
// split the command in two, and the daemon drops overlong lines.
func checkCommand(line string) error {
	if strings.ContainsAny(line, "\r\n") {
		return errors.New("a command cannot contain a line break")
	}
	if len(line) > maxCommandLine {
		return fmt.Errorf("command too long: %d bytes, at most %d", len(line), maxCommandLine)
	}
	return nil
}

// lineWriter prints whole lines and keeps the first write error. On a
// terminal it escapes control characters: labels come from other hosts'
// announcements, and a hostile one must not drive the user's terminal.
type lineWriter struct {
	w      io.Writer
	escape bool
	err    error
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
