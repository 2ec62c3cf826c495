package actors

import (
	"bufio"
	"strings"
	"testing"
	"unicode/utf8"
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
		{"where\tx", []string{"where", "x"}, false},
		{`where "open`, nil, true},
		{"", nil, false},
	} {
		got, err := splitWords(c.in)
		if (err != nil) != c.err || strings.Join(got, "|") != strings.Join(c.want, "|") || len(got) != len(c.want) {
			t.Errorf("splitWords(%q): got %q, %v; want %q, error %v", c.in, got, err, c.want, c.err)
		}
	}
}

// FuzzCommandLine covers the decoder of what clients send: line framing
// and word splitting never panic, and a quoted word round-trips.
func FuzzCommandLine(f *testing.F) {
	for _, s := range []string{"list\n", "where \"backup 2\"\r\n", "\x00\xff\n", strings.Repeat("x", MaxCommandLine+10) + "\nlist\n", `where "a\"b\\c"` + "\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		br := bufio.NewReaderSize(strings.NewReader(in), MaxCommandLine+1)
		for {
			line, tooLong, err := readCommandLine(br)
			if err != nil {
				break
			}
			if tooLong && line != "" || len(line) > MaxCommandLine+1 {
				t.Fatalf("line of %d bytes, tooLong=%v", len(line), tooLong)
			}
			words, err := splitWords(line)
			if err != nil {
				continue
			}
			for _, w := range words {
				if !utf8.ValidString(w) {
					continue
				}
				q := `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(w) + `"`
				back, err := splitWords(q)
				if err != nil || len(back) != 1 || back[0] != w {
					t.Fatalf("word %q quoted as %s came back as %q, %v", w, q, back, err)
				}
			}
		}
	})
}
