package lineproto

import (
	"bufio"
	"strings"
)

// Answer is one complete answer: data lines, then a status. Code is empty
// for ".ok"; Message is the summary after ".ok" or the text after the code
// of ".err".
type Answer struct {
	Lines   []string
	Code    string
	Message string
}

// OK reports whether the status is ".ok".
func (a *Answer) OK() bool { return a.Code == "" }

// Text returns the message to show for a failed answer, falling back to the
// code so that a user never sees an empty error.
func (a *Answer) Text() string {
	if a.Message == "" {
		return a.Code
	}
	return a.Message
}

// Status returns the answer's status line, without its LF.
func (a *Answer) Status() string { return StatusLine(a.Code, a.Message) }

// StatusLine formats a status line: ".ok", ".ok SUMMARY" or ".err CODE
// MESSAGE" (an empty code means success). Line breaks inside the text are
// escaped, so the status stays one line; a code is one word.
func StatusLine(code, msg string) string {
	if code == "" {
		if msg == "" {
			return ".ok"
		}
		return ".ok " + OneLine(msg)
	}
	code = strings.Join(strings.Fields(OneLine(code)), "-")
	if msg == "" {
		return ".err " + code
	}
	return ".err " + code + " " + OneLine(msg)
}

// OneLine writes CR and LF as the two characters `\r` and `\n`.
func OneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\n", `\n`, "\r", `\r`).Replace(s)
}

// AppendData appends one data line and its LF to b. A line starting with
// "." gets one more in front (dot-stuffing), so that only a status line
// starts with a single dot. A line break inside line would split it, so
// it is escaped as in OneLine.
func AppendData(b []byte, line string) []byte {
	if strings.HasPrefix(line, ".") {
		b = append(b, '.')
	}
	b = append(b, OneLine(line)...)
	return append(b, '\n')
}

// AppendAnswer appends a's data lines and its status line to b.
func AppendAnswer(b []byte, a *Answer) []byte {
	for _, l := range a.Lines {
		b = AppendData(b, l)
	}
	b = append(b, a.Status()...)
	return append(b, '\n')
}

// Encode returns a whole answer as bytes.
func (a *Answer) Encode() []byte { return AppendAnswer(nil, a) }

// WriteData writes one data line to w (see AppendData).
func WriteData(w *bufio.Writer, line string) error {
	if strings.HasPrefix(line, ".") {
		w.WriteByte('.')
	}
	w.WriteString(OneLine(line))
	return w.WriteByte('\n')
}

// WriteAnswer writes a whole answer to w; the caller flushes.
func WriteAnswer(w *bufio.Writer, a *Answer) error {
	for _, l := range a.Lines {
		WriteData(w, l)
	}
	w.WriteString(a.Status())
	return w.WriteByte('\n')
}
