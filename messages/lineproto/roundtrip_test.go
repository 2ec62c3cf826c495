package lineproto

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// A client quotes what a user typed; the daemon splits it back. Every
// argument must arrive exactly, whatever it holds.
func TestQuoteWords_roundTrip(t *testing.T) {
	for _, words := range [][]string{
		{"where", "backup 2"},
		{"where", `C:\dir`},
		{"where", `"`},
		{"where", `\`},
		{"where", `\"`},
		{"where", "a\tb"},
		{"where", ""},
		{"where", "--json"},
		{"where", "Fotos d'été"},
		{"where", "  leading and trailing  "},
		{"where", `ends with backslash\`},
		{"a", "", "b", ""},
	} {
		t.Run(fmt.Sprintf("%q", words), func(t *testing.T) {
			line := QuoteWords(words)
			got, err := SplitWords(line)
			if err != nil || !slices.Equal(got, words) {
				t.Errorf("got %q, %v, want %q (line %q)", got, err, words, line)
			}
		})
	}
}

// A quoted --json is still the flag (ParseRequest); a user who wants the
// literal word cannot get it, which is the documented rule.
func TestParseRequest_quotedWordsAndCase(t *testing.T) {
	for _, c := range []struct {
		line string
		want Request
	}{
		{`WHERE "Backup 2"`, Request{Word: "where", Args: []string{"Backup 2"}}},
		{`where --json "--json"`, Request{Word: "where", JSON: true}},
		{"where\t--JSON x", Request{Word: "where", Args: []string{"--JSON", "x"}}},
		{`"wh"ere x`, Request{Word: "where", Args: []string{"x"}}},
	} {
		t.Run(c.line, func(t *testing.T) {
			got, err := ParseRequest(c.line)
			if err != nil || got.Word != c.want.Word || got.JSON != c.want.JSON || !slices.Equal(got.Args, c.want.Args) {
				t.Errorf("got %+v, %v, want %+v", got, err, c.want)
			}
		})
	}
}

func TestReadCommand_bounds(t *testing.T) {
	at := strings.Repeat("a", MaxCommandLine)
	for _, c := range []struct {
		name     string
		in       string
		wantLine string
		wantLong bool
		wantErr  error
	}{
		{"at the bound with LF", at + "\n", at, false, nil},
		{"under the bound with CRLF: CR stripped", at[1:] + "\r\n", at[1:], false, nil},
		{"at the bound with CRLF: the CR counts", at + "\r\n", "", true, nil},
		{"one over", at + "a\n", "", true, nil},
		{"one over without LF at EOF", at + "a", "", true, nil},
		{"far over", strings.Repeat("a", 3*MaxCommandLine) + "\n", "", true, nil},
		{"empty line", "\n", "", false, nil},
		{"last line without LF", "list", "list", false, nil},
		{"nothing", "", "", false, io.EOF},
	} {
		t.Run(c.name, func(t *testing.T) {
			br := bufio.NewReaderSize(strings.NewReader(c.in), MaxCommandLine+1)
			line, long, err := ReadCommand(br)
			if line != c.wantLine || long != c.wantLong || !errors.Is(err, c.wantErr) {
				t.Errorf("got %d bytes, long %v, %v; want %d bytes, long %v, %v", len(line), long, err, len(c.wantLine), c.wantLong, c.wantErr)
			}
		})
	}
}

// After an overlong line the next command is read whole: the daemon
// skips exactly the bad line.
func TestReadCommand_resynchronisesAfterLongLine(t *testing.T) {
	in := strings.Repeat("x", 2*MaxCommandLine+7) + "\nstatus\n"
	br := bufio.NewReaderSize(strings.NewReader(in), MaxCommandLine+1)
	if _, long, err := ReadCommand(br); !long || err != nil {
		t.Fatalf("got long %v, %v, want the long line reported", long, err)
	}
	line, long, err := ReadCommand(br)
	if line != "status" || long || err != nil {
		t.Errorf("got %q, %v, %v, want status", line, long, err)
	}
}

func TestCheckCommand_bounds(t *testing.T) {
	var tl *TooLongError
	for _, c := range []struct {
		name    string
		line    string
		wantErr bool
		tooLong bool
	}{
		{"at the bound", strings.Repeat("a", MaxCommandLine), false, false},
		{"one over", strings.Repeat("a", MaxCommandLine+1), true, true},
		{"CR", "list\r", true, false},
		{"LF", "list\nstatus", true, false},
		{"empty", "", false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := CheckCommand(c.line)
			if (err != nil) != c.wantErr || errors.As(err, &tl) != c.tooLong {
				t.Errorf("got %v, want error %v (too long %v)", err, c.wantErr, c.tooLong)
			}
		})
	}
}

// Data lines survive the framing byte for byte, except line breaks, which
// are escaped (a data line is one line by definition).
func TestEncode_decodeDataLines(t *testing.T) {
	for _, c := range []struct {
		name string
		in   string
		want string
	}{
		{"plain", "NODE  UUID", "NODE  UUID"},
		{"leading dot", ".ok", ".ok"},
		{"leading dots", "...", "..."},
		{"status lookalike", ".err busy", ".err busy"},
		{"LF escaped", "a\nb", `a\nb`},
		{"CR escaped", "a\rb", `a\rb`},
		{"dot then LF", ".\n", `.\n`},
		{"non-ASCII", "été ✓", "été ✓"},
		{"escape character kept", "\x1b[0m", "\x1b[0m"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := &Answer{Lines: []string{c.in}}
			got, err := NewReader(bytes.NewReader(a.Encode())).ReadAnswer(nil)
			if err != nil || len(got.Lines) != 1 || got.Lines[0] != c.want || !got.OK() {
				t.Errorf("got %q, %v, want %q then .ok", got.Lines, err, c.want)
			}
		})
	}
}

// The status line is always one line with a one-word code, whatever the
// caller passes, and reads back as the same code.
func TestStatusLine_readsBack(t *testing.T) {
	for _, c := range []struct {
		name, code, msg       string
		wantCode, wantMessage string
	}{
		{"ok", "", "3 disks", "", "3 disks"},
		{"code with spaces", "not found", "x", "not-found", "x"},
		{"code with a line break", "bad\ncode", "m", `bad\ncode`, "m"},
		{"message with line breaks", "blkid", "exit 1\nstderr", "blkid", `exit 1\nstderr`},
		{"code only", "usage", "", "usage", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			line := StatusLine(c.code, c.msg)
			if strings.ContainsAny(line, "\r\n") {
				t.Fatalf("got %q, want one line", line)
			}
			a, err := ParseStatus(Answer{}, line)
			if err != nil || a.Code != c.wantCode || a.Message != c.wantMessage {
				t.Errorf("got %q %q, %v, want %q %q", a.Code, a.Message, err, c.wantCode, c.wantMessage)
			}
		})
	}
}

func TestUnstuff(t *testing.T) {
	for _, c := range []struct {
		in, data string
		status   bool
	}{
		{"plain", "plain", false}, {"", "", false}, {"..", ".", false}, {"..x", ".x", false},
		{".ok", "", true}, {".", "", true}, {". x", "", true},
	} {
		t.Run(c.in, func(t *testing.T) {
			data, status := Unstuff(c.in)
			if data != c.data || status != c.status {
				t.Errorf("got %q, %v, want %q, %v", data, status, c.data, c.status)
			}
		})
	}
}

func TestConnError(t *testing.T) {
	for _, c := range []struct {
		name string
		in   error
		want error
	}{
		{"nil", nil, nil},
		{"EOF", io.EOF, ErrClosed},
		{"unexpected EOF", io.ErrUnexpectedEOF, ErrClosed},
		{"reset", &os.SyscallError{Syscall: "read", Err: syscall.ECONNRESET}, ErrClosed},
		{"broken pipe", &os.SyscallError{Syscall: "write", Err: syscall.EPIPE}, ErrClosed},
		{"timeout kept", os.ErrDeadlineExceeded, os.ErrDeadlineExceeded},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := ConnError(c.in); !errors.Is(got, c.want) || (c.want == nil) != (got == nil) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestWriteAnswer_sameBytesAsEncode(t *testing.T) {
	for _, a := range []*Answer{
		{}, {Message: "x"}, {Code: "usage", Message: "a\nb"},
		{Lines: []string{".", "", "a\rb", "..."}, Message: "4 lines"},
	} {
		var buf bytes.Buffer
		w := bufio.NewWriter(&buf)
		if err := WriteAnswer(w, a); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		if got, want := buf.String(), string(a.Encode()); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}
