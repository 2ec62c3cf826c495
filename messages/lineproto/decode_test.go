package lineproto

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestReader_ReadAnswer(t *testing.T) {
	tests := []struct {
		name, in string
		want     Answer
		err      string
	}{
		{"ok with summary", "a\nb\n.ok 2 disks\n", Answer{Lines: []string{"a", "b"}, Message: "2 disks"}, ""},
		{"bare ok", ".ok\n", Answer{}, ""},
		{"dot-stuffing strips one dot", "..\n..a\n...b\n. c\n", Answer{Lines: []string{".", ".a", "..b"}}, `protocol error: unexpected status line ". c"`},
		{"stuffed lines then ok", "..hidden\n...\n.ok\n", Answer{Lines: []string{".hidden", ".."}}, ""},
		{"empty data line", "\n.ok\n", Answer{Lines: []string{""}}, ""},
		{"crlf", "a\r\n.ok x\r\n", Answer{Lines: []string{"a"}, Message: "x"}, ""},
		{"error with message", "partial\n.err not-found no disk matches \"q\"\n",
			Answer{Lines: []string{"partial"}, Code: "not-found", Message: `no disk matches "q"`}, ""},
		{"error without message", ".err usage\n", Answer{Code: "usage"}, ""},
		{"missing status", "a\nb\n", Answer{Lines: []string{"a", "b"}}, "daemon closed the connection"},
		{"half a status line", "a\n.o", Answer{Lines: []string{"a"}}, "daemon closed the connection"},
		{"nothing at all", "", Answer{}, "daemon closed the connection"},
		{"lone dot", ".\n", Answer{}, `protocol error: unexpected status line "."`},
		{"unknown status", ".okay\n", Answer{}, `protocol error: unexpected status line ".okay"`},
		{"error without code", ".err\n", Answer{}, `protocol error: unexpected status line ".err"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewReader(strings.NewReader(tt.in)).ReadAnswer(nil)
			if errText(err) != tt.err {
				t.Errorf("error: got %q, want %q", errText(err), tt.err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("answer: got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestReader_errorsAreSentinels(t *testing.T) {
	_, err := NewReader(strings.NewReader("a\n")).ReadAnswer(nil)
	if !errors.Is(err, ErrClosed) {
		t.Errorf("truncated answer: got %v, want ErrClosed", err)
	}
	_, err = NewReader(strings.NewReader(".nope\n")).ReadAnswer(nil)
	if !errors.Is(err, ErrProtocol) {
		t.Errorf("bad status: got %v, want ErrProtocol", err)
	}
}

// With onLine the lines are handed over as they come and not kept, and the
// reader stops exactly after the status line.
func TestReader_onLineAndSequence(t *testing.T) {
	r := NewReader(strings.NewReader("one\n..two\n.ok\nthree\n.err usage bad\n"))
	var seen []string
	a, err := r.ReadAnswer(func(l string) { seen = append(seen, l) })
	if err != nil || !a.OK() || a.Lines != nil {
		t.Errorf("first answer: got %+v, %v, want OK with no kept lines", a, err)
	}
	if want := []string{"one", ".two"}; !reflect.DeepEqual(seen, want) {
		t.Errorf("onLine: got %q, want %q", seen, want)
	}
	a, err = r.ReadAnswer(nil)
	want := Answer{Lines: []string{"three"}, Code: "usage", Message: "bad"}
	if err != nil || !reflect.DeepEqual(a, want) {
		t.Errorf("second answer: got %+v, %v, want %+v", a, err, want)
	}
}

func TestReader_longLines(t *testing.T) {
	big := strings.Repeat("x", MaxAnswerLine)
	a, err := NewReader(strings.NewReader(big + "\n.ok\n")).ReadAnswer(nil)
	if err != nil || len(a.Lines) != 1 || len(a.Lines[0]) != MaxAnswerLine {
		t.Errorf("line of %d bytes: got %d lines, %v, want it accepted", MaxAnswerLine, len(a.Lines), err)
	}
	for _, in := range []string{big + "x\n.ok\n", big + "\r\r\n.ok\n", big + "xxxxxxxx"} {
		_, err = NewReader(strings.NewReader(in)).ReadAnswer(nil)
		if !errors.Is(err, ErrLineTooLong) {
			t.Errorf("line of %d bytes: got %v, want ErrLineTooLong", len(in), err)
		}
	}
}

func TestNewReaderSize_bound(t *testing.T) {
	r := NewReaderSize(strings.NewReader("12345\n123456\n"), 5)
	if l, err := r.ReadLine(); l != "12345" || err != nil {
		t.Errorf("line at the bound: got %q, %v, want it", l, err)
	}
	if _, err := r.ReadLine(); !errors.Is(err, ErrProtocol) || !strings.Contains(errText(err), "longer than 5 bytes") {
		t.Errorf("line over the bound: got %v, want a protocol error naming 5 bytes", err)
	}
}

func TestParseGreeting(t *testing.T) {
	tests := []struct {
		line    string
		version int
		err     string
	}{
		{Greeting("0.1.0", "alpha"), 1, ""},
		{`diskd-actors 0.1.0 on host1 ready (protocol 1); type "help"`, 0, ""},
		{"something else entirely", 0, ""},
		{".err busy 4096 sessions already open", 0, "daemon refused the connection: 4096 sessions already open"},
		{".err busy", 0, "daemon refused the connection: busy"},
		{".ok", 0, `protocol error: a status line instead of the greeting: ".ok"`},
	}
	for _, tt := range tests {
		v, err := ParseGreeting(tt.line)
		if v != tt.version || errText(err) != tt.err {
			t.Errorf("ParseGreeting(%q): got %d, %q; want %d, %q", tt.line, v, errText(err), tt.version, tt.err)
		}
	}
	var re *RefusedError
	if _, err := ParseGreeting(Refusal("busy", "full")); !errors.As(err, &re) || re.Code != "busy" {
		t.Errorf("refusal: got %v, want a RefusedError with code busy", err)
	}
}
