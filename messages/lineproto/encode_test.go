package lineproto

import (
	"bufio"
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestStatusLine(t *testing.T) {
	tests := []struct{ code, msg, want string }{
		{"", "", ".ok"},
		{"", "2 disks", ".ok 2 disks"},
		{"", "a\nb\rc", `.ok a\nb\rc`},
		{"usage", "", ".err usage"},
		{"not-found", "no disk matches x", ".err not-found no disk matches x"},
		{"two words", "m", ".err two-words m"},
	}
	for _, tt := range tests {
		if got := StatusLine(tt.code, tt.msg); got != tt.want {
			t.Errorf("StatusLine(%q, %q): got %q, want %q", tt.code, tt.msg, got, tt.want)
		}
	}
}

func TestEncode_golden(t *testing.T) {
	a := &Answer{Lines: []string{"NODE  LABEL", ".hidden", "..", "", "two\nlines"}, Message: "5 lines"}
	want := "NODE  LABEL\n..hidden\n...\n\ntwo\\nlines\n.ok 5 lines\n"
	if got := string(a.Encode()); got != want {
		t.Errorf("Encode: got %q, want %q", got, want)
	}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	WriteAnswer(w, a)
	w.Flush()
	if buf.String() != want {
		t.Errorf("WriteAnswer: got %q, want %q", buf.String(), want)
	}
}

// Whatever the data lines hold, a reader gets them back, then the status.
func TestEncode_roundTrip(t *testing.T) {
	answers := []*Answer{
		{},
		{Lines: []string{".", "..", ".ok", ".err x y", "plain", ""}, Message: "fine"},
		{Lines: []string{"partial"}, Code: "not-found", Message: "no disk matches \".x\""},
	}
	var stream []byte
	for _, a := range answers {
		stream = AppendAnswer(stream, a)
	}
	r := NewReader(bytes.NewReader(stream))
	for i, want := range answers {
		got, err := r.ReadAnswer(nil)
		if err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
		if !reflect.DeepEqual(got.Lines, want.Lines) || got.Code != want.Code || got.Message != want.Message {
			t.Errorf("answer %d: got %+v, want %+v", i, got, *want)
		}
	}
}

func TestAnswer_Text(t *testing.T) {
	if got := (&Answer{Code: "usage"}).Text(); got != "usage" {
		t.Errorf("no message: got %q, want the code", got)
	}
	if got := (&Answer{Code: "usage", Message: "bad"}).Text(); got != "bad" {
		t.Errorf("message: got %q, want it", got)
	}
}

func TestGreeting(t *testing.T) {
	want := `diskd-actors 0.1.0-dev on alpha ready (line protocol 1); type "help"`
	if got := Greeting("0.1.0-dev", "alpha"); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !strings.HasPrefix(Refusal("busy", "4096 sessions already open"), ".err busy ") {
		t.Errorf("refusal: got %q", Refusal("busy", "x"))
	}
}
