package lineproto

import (
	"slices"
	"strings"
	"testing"
)

// The command table drives help, usage, completion and dispatch: these
// invariants keep the four from disagreeing.
func TestCommands_tableConsistency(t *testing.T) {
	seen := map[string]string{}
	for i := range Commands {
		c := &Commands[i]
		t.Run(c.Name, func(t *testing.T) {
			if c.Name != strings.ToLower(c.Name) || c.Name == "" || strings.ContainsAny(c.Name, " \t\"") {
				t.Errorf("got name %q, want one lower-case word", c.Name)
			}
			if c.Help == "" {
				t.Errorf("got empty Help, want one line")
			}
			if strings.ContainsAny(c.Help+c.ClientNote+c.ArgsHint, "\r\n") {
				t.Errorf("got a line break in help texts, want one line")
			}
			for _, w := range append([]string{c.Name}, c.Aliases...) {
				if other, dup := seen[w]; dup {
					t.Errorf("got word %q for %s and %s, want each word once", w, other, c.Name)
				}
				seen[w] = c.Name
				got, ok := Lookup(w)
				if !ok || got != c {
					t.Errorf("Lookup(%q): got %v, %v, want %s", w, got, ok, c.Name)
				}
				if w != strings.ToLower(w) {
					t.Errorf("got alias %q, want lower case (Lookup lower-cases)", w)
				}
			}
			for _, a := range c.Args {
				if a == "" {
					t.Errorf("got an empty argument name")
				}
			}
			if c.Hidden && !strings.HasPrefix(c.Name, "_") {
				t.Errorf("got hidden command %q, want it named with a leading _", c.Name)
			}
			if c.Streams && len(c.Args) > 0 {
				t.Errorf("got a streaming command with arguments, want none")
			}
			if u := c.Usage(); !c.Hidden && len(u) >= 28 {
				t.Errorf("got usage %q of %d bytes, want < 28 so help stays in columns", u, len(u))
			}
		})
	}
}

func TestCommands_constantsAreInTheTable(t *testing.T) {
	for _, name := range []string{CmdHelp, CmdList, CmdWhere, CmdPeers, CmdMounts, CmdPing, CmdDebug,
		CmdLocalhost, CmdStatus, CmdRefresh, CmdQuit, CmdPanic} {
		t.Run(name, func(t *testing.T) {
			c, ok := Lookup(name)
			if !ok || c.Name != name {
				t.Errorf("got %v, %v, want the entry %s", c, ok, name)
			}
		})
	}
}

// Hidden commands (test hooks) show nowhere a user looks.
func TestCommands_hiddenNowhere(t *testing.T) {
	help := strings.Join(HelpLines(), "\n")
	usage := ClientUsage()
	words := Words()
	for i := range Commands {
		c := &Commands[i]
		inHelp := strings.Contains(help, c.Usage()+" ")
		inUsage := strings.Contains(usage, "  "+c.Usage()+" ")
		inWords := slices.Contains(words, c.Name)
		if c.Hidden && (inHelp || inUsage || inWords) {
			t.Errorf("%s: got help %v, usage %v, words %v, want hidden everywhere", c.Name, inHelp, inUsage, inWords)
		}
		if !c.Hidden && !(inHelp && inUsage && inWords) {
			t.Errorf("%s: got help %v, usage %v, words %v, want visible everywhere", c.Name, inHelp, inUsage, inWords)
		}
	}
}

func TestHelpLines_orderAndFooter(t *testing.T) {
	lines := HelpLines()
	if got := lines[len(lines)-1]; got != HelpFooter {
		t.Errorf("got last line %q, want the footer", got)
	}
	var visible []string
	for i := range Commands {
		if !Commands[i].Hidden {
			visible = append(visible, Commands[i].Usage())
		}
	}
	if len(lines) != len(visible)+1 {
		t.Fatalf("got %d lines, want %d", len(lines), len(visible)+1)
	}
	for i, u := range visible {
		if !strings.HasPrefix(lines[i], u+" ") {
			t.Errorf("line %d: got %q, want it to start with %q", i, lines[i], u)
		}
		if got := len(lines[i]) - len(strings.TrimLeft(lines[i][28:], " ")); got != 28 {
			t.Errorf("line %d: got help text at column %d, want 28", i, got)
		}
	}
}

func TestUsage(t *testing.T) {
	for _, c := range []struct{ word, want string }{
		{"help", "help"}, // "?" is not shown
		{"quit", "quit | exit"},
		{"where", "where <uuid|label|device>"},
		{"_panic", "_panic <part>"},
		{"list", "list"},
	} {
		t.Run(c.word, func(t *testing.T) {
			cmd, ok := Lookup(c.word)
			if !ok {
				t.Fatalf("Lookup(%q) failed", c.word)
			}
			if got := cmd.Usage(); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestCheckArgs_cases(t *testing.T) {
	two := &Command{Name: "pair", Args: []string{"a", "b"}}
	where, _ := Lookup(CmdWhere)
	list, _ := Lookup(CmdList)
	for _, c := range []struct {
		name string
		cmd  *Command
		args []string
		want string
	}{
		{"no Args ignores extra words", list, []string{"x", "y"}, ""},
		{"one argument fits", where, []string{"root"}, ""},
		{"missing argument", where, nil, `where takes one non-empty argument: a UUID, label or device (quote labels with spaces: where "backup 2")`},
		{"empty argument", where, []string{""}, `where takes one non-empty argument: a UUID, label or device (quote labels with spaces: where "backup 2")`},
		{"too many", where, []string{"a", "b"}, `where takes one non-empty argument: a UUID, label or device (quote labels with spaces: where "backup 2")`},
		{"two fit", two, []string{"x", "y"}, ""},
		{"hint defaults to the names", two, []string{"x"}, "pair takes 2 non-empty arguments: a b"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.cmd.CheckArgs(c.args); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestLookup_cases(t *testing.T) {
	for _, c := range []struct {
		word string
		want string
		ok   bool
	}{
		{"LIST", "list", true}, {"Where", "where", true}, {"?", "help", true}, {"EXIT", "quit", true},
		{"", "", false}, {"lis", "", false}, {"list ", "", false}, {"--json", "", false},
	} {
		t.Run(c.word, func(t *testing.T) {
			got, ok := Lookup(c.word)
			name := ""
			if ok {
				name = got.Name
			}
			if ok != c.ok || name != c.want {
				t.Errorf("got %v, %v, want %v, %v", name, ok, c.want, c.ok)
			}
		})
	}
}

func TestStreamsAndIsQuit_cases(t *testing.T) {
	for _, c := range []struct {
		line          string
		streams, quit bool
	}{
		{"debug", true, false},
		{"  DEBUG --json", true, false},
		{"--json debug", true, false},
		{`"debug"`, true, false},
		{"debug x", true, false},
		{"debugx", false, false},
		{"quit", false, true},
		{"exit now", false, true},
		{"Exit", false, true},
		{`quit "open`, false, false},
		{"", false, false},
		{"list", false, false},
	} {
		t.Run(c.line, func(t *testing.T) {
			if got := Streams(c.line); got != c.streams {
				t.Errorf("Streams: got %v, want %v", got, c.streams)
			}
			if got := IsQuit(c.line); got != c.quit {
				t.Errorf("IsQuit: got %v, want %v", got, c.quit)
			}
		})
	}
}
