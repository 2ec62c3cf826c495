package main

import (
	"strings"
	"testing"
)

// The words of __complete come from whatever is on the user's command
// line: any of them must give candidates that start with the unquoted
// current word, without a panic.
func FuzzCompletions(f *testing.F) {
	for _, seed := range [][2]string{
		{"", ""}, {"--socket", ""}, {"--socket=/x where", `"back`}, {"where --json", `backup\ `},
		{"daemon --config", "--"}, {"help", "wh"}, {"--config x demo --nodes", "3"}, {"completion", "z"}, {`'a\`, `\`},
	} {
		f.Add(seed[0], seed[1])
	}
	disks := func(globals) []string { return []string{"backup 1", "root", "u-1"} }
	f.Fuzz(func(t *testing.T, line, cur string) {
		words := strings.Fields(line)
		c := shellUnquote(cur)
		for _, got := range completions(words, c, disks) {
			if !strings.HasPrefix(got, c) {
				t.Fatalf("completions(%q, %q) offered %q", words, c, got)
			}
			if strings.ContainsAny(bashEscape(got), " \t") && !strings.Contains(bashEscape(got), `\ `) {
				t.Fatalf("bashEscape(%q) = %q leaves a blank unescaped", got, bashEscape(got))
			}
		}
	})
}
