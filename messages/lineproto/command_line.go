package lineproto

import (
	"bufio"
	"errors"
	"io"
	"strconv"
	"strings"
)

// ErrUnterminatedQuote is the usage error of a line with an open quote.
var ErrUnterminatedQuote = errors.New("unterminated quote")

// ReadCommand reads one command line without its LF or CRLF, for the
// daemon. br must have been made with a buffer of at least MaxCommandLine+1
// bytes (bufio.NewReaderSize). A longer line is consumed to its end and
// reported as tooLong, with an empty line. A last line without its LF
// counts as a line.
func ReadCommand(br *bufio.Reader) (line string, tooLong bool, err error) {
	b, err := br.ReadSlice('\n')
	if err == nil || (errors.Is(err, io.EOF) && len(b) > 0) {
		if len(trimEOL(b)) > MaxCommandLine {
			return "", true, nil
		}
		return string(trimEOL(b)), false, nil
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		return "", false, err
	}
	for errors.Is(err, bufio.ErrBufferFull) {
		_, err = br.ReadSlice('\n')
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, err
	}
	return "", true, nil
}

func trimEOL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// CheckCommand refuses lines the framing cannot carry, for a client: a line
// break would split the command in two, and the daemon refuses overlong
// lines.
func CheckCommand(line string) error {
	if strings.ContainsAny(line, "\r\n") {
		return errors.New("a command cannot contain a line break")
	}
	if len(line) > MaxCommandLine {
		return &TooLongError{Len: len(line)}
	}
	return nil
}

// TooLongError is a command line over MaxCommandLine.
type TooLongError struct{ Len int }

func (e *TooLongError) Error() string {
	return "command too long: " + strconv.Itoa(e.Len) + " bytes, at most " + strconv.Itoa(MaxCommandLine)
}

// SplitWords splits a command line on spaces and tabs; a word in double
// quotes may hold spaces, with \" and \\ as escapes (any other backslash is
// literal). Quotes may start or end inside a word; "" is an empty word.
func SplitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case quoted && ch == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\'):
			i++
			cur.WriteByte(s[i])
		case ch == '"':
			quoted, inWord = !quoted, true
		case !quoted && (ch == ' ' || ch == '\t'):
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(ch)
			inWord = true
		}
	}
	if quoted {
		return nil, ErrUnterminatedQuote
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// QuoteWords joins words into one command line, double-quoting any word
// SplitWords would otherwise split or misread, such as the label "backup 2".
// SplitWords(QuoteWords(w)) == w.
func QuoteWords(words []string) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		if w != "" && !strings.ContainsAny(w, " \t\"\\") {
			b.WriteString(w)
			continue
		}
		b.WriteByte('"')
		for j := 0; j < len(w); j++ {
			if w[j] == '"' || w[j] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(w[j])
		}
		b.WriteByte('"')
	}
	return b.String()
}

// Request is a parsed command line.
type Request struct {
	Word string   // the command word, lower-cased; "" for a blank line (see Blank)
	Args []string // the words after it, "--json" removed
	JSON bool     // the line holds the word --json
}

// ParseRequest splits a command line into its command word, arguments and
// the --json flag (anywhere on the line, also quoted).
func ParseRequest(line string) (Request, error) {
	words, err := SplitWords(line)
	if err != nil {
		return Request{}, err
	}
	var r Request
	for _, w := range words {
		if w == "--json" {
			r.JSON = true
		} else {
			r.Args = append(r.Args, w)
		}
	}
	if len(r.Args) == 0 {
		return r, nil
	}
	r.Word, r.Args = strings.ToLower(r.Args[0]), r.Args[1:]
	return r, nil
}

// Blank reports a line that gets no answer: nothing but spaces, tabs and
// --json.
func (r Request) Blank() bool { return r.Word == "" && len(r.Args) == 0 }
