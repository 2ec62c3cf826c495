package lineproto

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
)

var (
	// ErrClosed reports a connection that ended before an answer (or the
	// greeting) was complete: a half line means the peer went away.
	ErrClosed = errors.New("daemon closed the connection")
	// ErrLineTooLong leaves the stream mid-line: the connection is unusable.
	ErrLineTooLong = fmt.Errorf("protocol error: answer line longer than %d bytes", MaxAnswerLine)
	// ErrProtocol is wrapped by every error about a malformed status line.
	ErrProtocol = errors.New("protocol error")
)

// Reader reads a daemon's greeting and answers. It is not safe for
// concurrent use.
type Reader struct {
	r   *bufio.Reader
	max int
}

// NewReader reads from r with lines bounded by MaxAnswerLine.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 64<<10), max: MaxAnswerLine}
}

// NewBufReader reads from br itself, so that a caller may also read from br
// between answers (a debug stream read line by line, say).
func NewBufReader(br *bufio.Reader) *Reader { return &Reader{r: br, max: MaxAnswerLine} }

// NewReaderSize is NewReader with another bound on a line, for callers that
// expect only short answers (and for tests); max <= 0 means MaxAnswerLine.
func NewReaderSize(r io.Reader, max int) *Reader {
	if max <= 0 {
		max = MaxAnswerLine
	}
	return &Reader{r: bufio.NewReaderSize(r, min(64<<10, max+2)), max: max}
}

// ReadLine reads one line without its LF (or CRLF). A line longer than the
// bound is ErrLineTooLong; a missing final LF is ErrClosed. A long line is
// gathered in fragments and copied once, so a 16 MiB JSON answer costs about
// twice its size rather than a chain of regrowths.
func (r *Reader) ReadLine() (string, error) {
	frag, err := r.r.ReadSlice('\n')
	var frags [][]byte
	n := len(frag)
	for errors.Is(err, bufio.ErrBufferFull) && n <= r.max+2 {
		frags = append(frags, bytes.Clone(frag))
		frag, err = r.r.ReadSlice('\n')
		n += len(frag)
	}
	if n > r.max+2 {
		return "", r.tooLong()
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
	if len(line) > r.max {
		return "", r.tooLong()
	}
	return line, nil
}

func (r *Reader) tooLong() error {
	if r.max == MaxAnswerLine {
		return ErrLineTooLong
	}
	return fmt.Errorf("%w: answer line longer than %d bytes", ErrProtocol, r.max)
}

// ReadAnswer reads data lines up to and including the status line. With a
// nil onLine the data lines are collected in Answer.Lines; otherwise each is
// handed to onLine as it arrives and not kept, so that an endless stream such
// as "debug" does not grow memory. On an error the lines read so far are in
// the returned answer.
func (r *Reader) ReadAnswer(onLine func(string)) (Answer, error) {
	var a Answer
	for {
		line, err := r.ReadLine()
		if err != nil {
			return a, err
		}
		data, isStatus := Unstuff(line)
		if isStatus {
			return ParseStatus(a, line)
		}
		if onLine != nil {
			onLine(data)
		} else {
			a.Lines = append(a.Lines, data)
		}
	}
}

// Unstuff classifies one received line: a status line (isStatus, data
// empty), or a data line with its stuffed dot removed.
func Unstuff(line string) (data string, isStatus bool) {
	if strings.HasPrefix(line, "..") {
		return line[1:], false
	}
	if strings.HasPrefix(line, ".") {
		return "", true
	}
	return line, false
}

// ParseStatus fills a's status from a status line. Anything but ".ok",
// ".ok SUMMARY", ".err CODE" and ".err CODE MESSAGE" wraps ErrProtocol.
func ParseStatus(a Answer, line string) (Answer, error) {
	word, rest, _ := strings.Cut(line, " ")
	switch word {
	case ".ok":
		a.Code, a.Message = "", rest
		return a, nil
	case ".err":
		a.Code, a.Message, _ = strings.Cut(rest, " ")
		if a.Code != "" {
			return a, nil
		}
	}
	return a, fmt.Errorf("%w: unexpected status line %q", ErrProtocol, line)
}

// connError turns the ways a peer can vanish into ErrClosed and keeps other
// errors (timeouts, local closes) as they are.
func connError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return ErrClosed
	}
	return err
}

// ConnError is connError for writers: a broken pipe on send is ErrClosed.
func ConnError(err error) error {
	if err == nil {
		return nil
	}
	return connError(err)
}
