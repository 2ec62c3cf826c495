package lineproto

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzReadAnswer covers the client's decoder of what a daemon sends: it
// never panics, never returns a line over its bound, and what it decodes
// encodes back to a stream that decodes the same.
func FuzzReadAnswer(f *testing.F) {
	for _, s := range []string{
		"a\nb\n.ok 2 disks\n", "..x\n...\n.err not-found no\n", ".ok\n.ok\n", "\r\n.ok x\r\n",
		".\n", ".err\n", "half", strings.Repeat("y", 300) + "\n.ok\n", "\x00\xff\n.ok\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		const max = 256
		r := NewReaderSize(strings.NewReader(in), max)
		for range 100 {
			a, err := r.ReadAnswer(nil)
			for _, l := range a.Lines {
				if len(l) > max {
					t.Fatalf("line of %d bytes over the bound %d", len(l), max)
				}
			}
			if err != nil {
				if !errors.Is(err, ErrClosed) && !errors.Is(err, ErrProtocol) {
					t.Fatalf("unexpected error kind: %v", err)
				}
				return
			}
			if strings.Contains(a.Code, " ") {
				t.Fatalf("code with a space: %+v", a)
			}
			if strings.ContainsAny(a.Message+a.Code+strings.Join(a.Lines, ""), "\r\n") {
				continue // a CR is escaped on encoding: no exact round trip
			}
			back, err := NewReader(bytes.NewReader(a.Encode())).ReadAnswer(nil)
			if err != nil || strings.Join(back.Lines, "\n") != strings.Join(a.Lines, "\n") || len(back.Lines) != len(a.Lines) ||
				back.Code != a.Code || (back.Message != a.Message && a.Code == "") {
				t.Fatalf("round trip of %+v: got %+v, %v", a, back, err)
			}
		}
	})
}

// FuzzCommandLine covers the daemon's decoder of what clients send: line
// framing and word splitting never panic, and quoting round-trips.
func FuzzCommandLine(f *testing.F) {
	for _, s := range []string{"list\n", "where \"backup 2\"\r\n", "\x00\xff\n",
		strings.Repeat("x", MaxCommandLine+10) + "\nlist\n", `where "a\"b\\c"` + "\n", "--json\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		br := bufio.NewReaderSize(strings.NewReader(in), MaxCommandLine+1)
		for {
			line, tooLong, err := ReadCommand(br)
			if err != nil {
				break
			}
			if tooLong && line != "" || len(line) > MaxCommandLine {
				t.Fatalf("line of %d bytes, tooLong=%v", len(line), tooLong)
			}
			words, err := SplitWords(line)
			if err != nil {
				continue
			}
			if _, err := ParseRequest(line); err != nil {
				t.Fatalf("ParseRequest(%q) failed where SplitWords did not: %v", line, err)
			}
			valid := true
			for _, w := range words {
				valid = valid && utf8.ValidString(w)
			}
			if !valid {
				continue
			}
			back, err := SplitWords(QuoteWords(words))
			if err != nil || len(back) != len(words) || strings.Join(back, "\x00") != strings.Join(words, "\x00") {
				t.Fatalf("words %q quoted as %s came back as %q, %v", words, QuoteWords(words), back, err)
			}
		}
	})
}
