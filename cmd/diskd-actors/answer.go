package main

// The client side of the socket protocol (served by actors/session.go):
// the daemon greets with one line; each command is one line; each answer is
// data lines closed by one status line, ".ok [SUMMARY]" or ".err CODE
// MESSAGE". A data line starting with "." is sent with one more "."
// (dot-stuffing, as in SMTP) so it can never be taken for a status line.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"strings"
	"syscall"
	"time"
)

const (
	// maxAnswerLine bounds one answer line: a JSON answer is a single line
	// and may be large, but an endless line must not exhaust memory.
	maxAnswerLine = 16 << 20
	// maxCommandLine is the longest command the daemon accepts, newline
	// excluded; checking it here gives a clearer error than the daemon's.
	maxCommandLine = 4096
	// dialTimeout bounds connecting and waiting for the greeting.
	dialTimeout = 5 * time.Second
)

var (
	// errClosed reports a connection that ended before an answer was complete.
	errClosed = errors.New("daemon closed the connection")
	// errLineTooLong leaves the stream mid-line: the connection is unusable.
	errLineTooLong = fmt.Errorf("protocol error: answer line longer than %d bytes", maxAnswerLine)
)

// Answer is one complete answer. Message is the summary after ".ok" or
// the text after the code of ".err".
type Answer struct {
	Lines   []string
	OK      bool
	Code    string
	Message string
}

// text returns the message to show for a failed answer, falling back to
// the code so the user never sees an empty error.
func (a Answer) text() string {
	if a.Message == "" {
		return a.Code
	}
	return a.Message
}

// readAnswer reads data lines up to and including the status line. With a
// nil onLine the data lines are collected in Answer.Lines; otherwise each
// is handed to onLine as it arrives and not kept, so an endless stream such
// as "debug" does not grow memory.
func readAnswer(r *bufio.Reader, onLine func(string)) (Answer, error) {
	var a Answer
	for {
		line, err := readLine(r)
		if err != nil {
			return a, err
		}
		if strings.HasPrefix(line, "..") {
			line = line[1:]
		} else if strings.HasPrefix(line, ".") {
			return parseStatus(a, line)
		}
		if onLine != nil {
			onLine(line)
		} else {
			a.Lines = append(a.Lines, line)
		}
	}
}

// parseStatus fills a from a status line.
func parseStatus(a Answer, line string) (Answer, error) {
	word, rest, _ := strings.Cut(line, " ")
	switch word {
	case ".ok":
		a.OK, a.Message = true, rest
		return a, nil
	case ".err":
		a.Code, a.Message, _ = strings.Cut(rest, " ")
		if a.Code != "" {
			return a, nil
		}
	}
	return a, fmt.Errorf("protocol error: unexpected status line %q", line)
}

// readLine reads one line without its "\n" (or "\r\n"). It refuses lines
// over maxAnswerLine and reports a missing final newline as errClosed, since
// a half line means the daemon went away mid-answer. A long line is
// gathered in fragments and copied once, as bufio does, so a 16 MiB JSON
// answer costs about twice its size rather than a chain of regrowths.
func readLine(r *bufio.Reader) (string, error) {
	frag, err := r.ReadSlice('\n')
	var frags [][]byte
	n := len(frag)
	for errors.Is(err, bufio.ErrBufferFull) && n <= maxAnswerLine+2 {
		frags = append(frags, bytes.Clone(frag))
		frag, err = r.ReadSlice('\n')
		n += len(frag)
	}
	if n > maxAnswerLine+2 {
		return "", errLineTooLong
	}
	if err != nil {
		return "", connError(err)
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range frags {
		b.Write(f)
	}
	b.Write(frag)
	line := strings.TrimSuffix(strings.TrimSuffix(b.String(), "\n"), "\r")
	if len(line) > maxAnswerLine {
		return "", errLineTooLong
	}
	return line, nil
}

// connError turns the ways a peer can vanish into errClosed and keeps
// other errors (timeouts, local closes) as they are.
func connError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return errClosed
	}
	return err
}

// conn is one client connection to the daemon.
type conn struct {
	nc net.Conn
	r  *bufio.Reader
}

// dial connects to the daemon and reads its greeting, turning the usual
// failures into advice the user can act on.
func dial(socket string, timeout time.Duration) (*conn, string, error) {
	nc, err := net.DialTimeout("unix", socket, timeout)
	if err != nil {
		return nil, "", dialError(socket, err)
	}
	c := &conn{nc: nc, r: bufio.NewReaderSize(nc, 64<<10)}
	_ = nc.SetReadDeadline(time.Now().Add(timeout))
	greeting, err := readLine(c.r)
	_ = nc.SetReadDeadline(time.Time{})
	if err != nil {
		nc.Close()
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, "", fmt.Errorf("daemon at %s sent no greeting within %v", socket, timeout)
		}
		return nil, "", fmt.Errorf("reading greeting from %s: %w", socket, err)
	}
	// A daemon that turns a client away (too many clients, say) answers
	// with a status line instead of a greeting.
	if strings.HasPrefix(greeting, ".err") {
		nc.Close()
		a, _ := parseStatus(Answer{}, greeting)
		return nil, "", fmt.Errorf("daemon refused the connection: %s", a.text())
	}
	return c, greeting, nil
}

// dialError explains a failed connect in terms of the daemon's state.
func dialError(socket string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("daemon not running: no socket at %s (start it with \"diskd-actors daemon\")", socket)
	case errors.Is(err, syscall.ECONNREFUSED):
		if fi, serr := os.Stat(socket); serr == nil && fi.Mode().Type() != fs.ModeSocket {
			return fmt.Errorf("cannot connect: %s is not a socket", socket)
		}
		return fmt.Errorf("daemon not running: %s is a stale socket", socket)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("permission denied connecting to %s", socket)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("daemon at %s did not accept the connection in time", socket)
	}
	return fmt.Errorf("cannot connect to daemon at %s: %w", socket, err)
}

// send writes one command line. The caller has checked it with
// checkCommand.
func (c *conn) send(line string) error {
	if _, err := io.WriteString(c.nc, line+"\n"); err != nil {
		return connError(err)
	}
	return nil
}

// roundTrip sends one command and reads its answer.
func (c *conn) roundTrip(line string, onLine func(string)) (Answer, error) {
	if err := c.send(line); err != nil {
		return Answer{}, err
	}
	return readAnswer(c.r, onLine)
}

// Close closes the connection.
func (c *conn) Close() error { return c.nc.Close() }
