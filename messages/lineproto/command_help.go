package lineproto

import (
	"fmt"
	"strings"
)

// CommandHelp is the client's "help COMMAND" text for a daemon command: its
// usage, what it does, its aliases and notes, derived from the command
// table like every other help. ok is false for a word the table does not
// know, and for hidden commands.
func CommandHelp(word string) (text string, ok bool) {
	c, found := Lookup(word)
	if !found || c.Hidden {
		return "", false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: diskd-actors [--socket PATH] [--json] %s\n\n", c.Usage())
	line := c.Help
	if c.ClientNote != "" {
		line += " " + c.ClientNote
	}
	fmt.Fprintf(&b, "  %s\n", line)
	if c.ArgsHint != "" {
		fmt.Fprintf(&b, "\nArguments: %s\n", c.ArgsHint)
	}
	if len(c.Aliases) > 0 {
		fmt.Fprintf(&b, "Also spelled: %s\n", strings.Join(c.Aliases, ", "))
	}
	if c.Streams {
		b.WriteString("\nThe answer streams until you press Enter or Ctrl-C (piped: until the next line).\n")
	}
	if c.Name != CmdQuit {
		b.WriteString("\n--json gives the answer as one JSON value.\n")
	}
	return b.String(), true
}

// TakesDisk reports whether the command's argument names a disk (a label,
// UUID or device), so that completion may offer the disks a daemon knows.
func (c *Command) TakesDisk() bool {
	return len(c.Args) == 1 && strings.Contains(c.Args[0], "uuid")
}
