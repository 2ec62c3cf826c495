package lineproto

import (
	"strings"
	"testing"
)

func TestCommandHelp(t *testing.T) {
	for _, c := range []struct {
		word string
		has  []string
	}{
		{"where", []string{"Usage: diskd-actors [--socket PATH] [--json] where <uuid|label|device>", "(exit 1)", `where "backup 2"`, "--json"}},
		{"EXIT", []string{"quit | exit", "close this session", "Also spelled: exit"}},
		{"debug", []string{"streams until you press Enter"}},
		{"?", []string{"help", "Also spelled: ?"}},
	} {
		got, ok := CommandHelp(c.word)
		if !ok {
			t.Errorf("CommandHelp(%q): not found, want its help", c.word)
			continue
		}
		for _, h := range c.has {
			if !strings.Contains(got, h) {
				t.Errorf("CommandHelp(%q) = %q, want it to contain %q", c.word, got, h)
			}
		}
	}
	for _, w := range []string{"frobnicate", CmdPanic, ""} {
		if got, ok := CommandHelp(w); ok {
			t.Errorf("CommandHelp(%q) = %q, want not found", w, got)
		}
	}
	if s, _ := CommandHelp("quit"); strings.Contains(s, "--json gives") {
		t.Errorf("quit's help offers --json, which quit ignores")
	}
}

func TestTakesDisk(t *testing.T) {
	for i := range Commands {
		c := &Commands[i]
		if got, want := c.TakesDisk(), c.Name == CmdWhere; got != want {
			t.Errorf("%s.TakesDisk() = %v, want %v", c.Name, got, want)
		}
	}
}
