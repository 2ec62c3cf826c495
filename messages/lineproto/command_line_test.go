package lineproto

import (
	"bufio"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestSplitWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
		err  bool
	}{
		{"list", []string{"list"}, false},
		{"  where   root  ", []string{"where", "root"}, false},
		{`where "backup 2"`, []string{"where", "backup 2"}, false},
		{`where "a \"q\" \\ b"`, []string{"where", `a "q" \ b`}, false},
		{`where ""`, []string{"where", ""}, false},
		{`ab"c d"e`, []string{"abc de"}, false},
		{`a\b`, []string{`a\b`}, false},
		{"where\tx", []string{"where", "x"}, false},
		{`where "open`, nil, true},
		{"", nil, false},
	} {
		got, err := SplitWords(c.in)
		if (err != nil) != c.err || !reflect.DeepEqual(got, c.want) {
			t.Errorf("SplitWords(%q): got %q, %v; want %q, error %v", c.in, got, err, c.want, c.err)
		}
	}
}

func TestQuoteWords(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"list"}, "list"},
		{[]string{"where", "backup 2"}, `where "backup 2"`},
		{[]string{"where", ""}, `where ""`},
		{[]string{"where", `a"b\c`}, `where "a\"b\\c"`},
		{[]string{"where", "tab\there"}, "where \"tab\there\""},
	}
	for _, tt := range tests {
		got := QuoteWords(tt.in)
		if got != tt.want {
			t.Errorf("QuoteWords(%q): got %q, want %q", tt.in, got, tt.want)
		}
		if back, err := SplitWords(got); err != nil || !reflect.DeepEqual(back, tt.in) {
			t.Errorf("SplitWords(QuoteWords(%q)): got %q, %v", tt.in, back, err)
		}
	}
}

func TestParseRequest(t *testing.T) {
	tests := []struct {
		in    string
		want  Request
		blank bool
		err   error
	}{
		{"LIST", Request{Word: "list", Args: []string{}}, false, nil},
		{"where --json x", Request{Word: "where", Args: []string{"x"}, JSON: true}, false, nil},
		{`"--json" peers`, Request{Word: "peers", Args: []string{}, JSON: true}, false, nil},
		{"  --json\t", Request{JSON: true}, true, nil},
		{"", Request{}, true, nil},
		{`"" list`, Request{Word: "", Args: []string{"list"}}, false, nil},
		{`where "x`, Request{}, true, ErrUnterminatedQuote},
	}
	for _, tt := range tests {
		got, err := ParseRequest(tt.in)
		if !errors.Is(err, tt.err) || !reflect.DeepEqual(got, tt.want) || got.Blank() != tt.blank {
			t.Errorf("ParseRequest(%q): got %+v (blank %v), %v; want %+v (blank %v), %v", tt.in, got, got.Blank(), err, tt.want, tt.blank, tt.err)
		}
	}
}

func TestReadCommand(t *testing.T) {
	long := strings.Repeat("x", MaxCommandLine)
	in := "list\r\n" + long + "\n" + long + "y\nwhere a\n" + long + "\r\n" + "last"
	br := bufio.NewReaderSize(strings.NewReader(in), MaxCommandLine+1)
	type res struct {
		line    string
		tooLong bool
	}
	var got []res
	for {
		l, tl, err := ReadCommand(br)
		if err != nil {
			break
		}
		got = append(got, res{l, tl})
	}
	want := []res{{"list", false}, {long, false}, {"", true}, {"where a", false}, {"", true}, {"last", false}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %d lines %v, want %v", len(got), short(got), short(want))
	}
}

// short names the lines of a ReadCommand result, with long lines elided.
func short[T any](v []T) string {
	s := fmt.Sprint(v)
	return strings.ReplaceAll(s, strings.Repeat("x", MaxCommandLine), "x…")
}

func TestCheckCommand(t *testing.T) {
	if err := CheckCommand("list"); err != nil {
		t.Errorf("list: got %v", err)
	}
	if err := CheckCommand("a\nb"); err == nil {
		t.Errorf("line break: got nil, want an error")
	}
	err := CheckCommand(strings.Repeat("x", MaxCommandLine+1))
	if want := "command too long: 4097 bytes, at most 4096"; errText(err) != want {
		t.Errorf("too long: got %q, want %q", errText(err), want)
	}
}
