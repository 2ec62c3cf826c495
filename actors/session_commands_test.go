package actors

import (
	"testing"

	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

// Dispatch is derived from the command table: every command has a handler
// and every handler a command, so help cannot list what dispatch lacks.
func TestCommandHandlers_matchTheTable(t *testing.T) {
	for _, c := range lineproto.Commands {
		if commandHandlers[c.Name] == nil {
			t.Errorf("command %q of lineproto.Commands has no handler", c.Name)
		}
	}
	if len(commandHelp) != len(lineproto.HelpLines()) {
		t.Errorf("commandHelp has %d lines, the table's help %d", len(commandHelp), len(lineproto.HelpLines()))
	}
	for name := range commandHandlers {
		if c, ok := lineproto.Lookup(name); !ok || c.Name != name {
			t.Errorf("handler %q has no command in lineproto.Commands", name)
		}
	}
}

func TestAnswer_statusAndRender(t *testing.T) {
	for _, tt := range []struct {
		a    *answer
		want string
	}{
		{&answer{}, ".ok"},
		{&answer{summary: "3 events"}, ".ok 3 events"},
		{errAnswer("usage", "two\nlines"), `.err usage two\nlines`},
	} {
		if got := tt.a.status(); got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.a, got, tt.want)
		}
		back := fromRender(tt.a.proto())
		if back.status() != tt.want {
			t.Errorf("%+v: through lineproto and back: got %q, want %q", tt.a, back.status(), tt.want)
		}
	}
}
