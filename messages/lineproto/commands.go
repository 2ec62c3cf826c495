package lineproto

import (
	"fmt"
	"strings"
)

// Command is one entry of the command table. The daemon's help, the
// client's usage and tab completion are derived from it, and the daemon
// dispatches through it, so a command cannot be known to one and not the
// others.
type Command struct {
	Name    string   // the command word, lower case
	Aliases []string // other words for it
	// Args names the arguments the command requires, each exactly once and
	// non-empty; a command without Args ignores extra words.
	Args []string
	// ArgsHint describes the arguments in a usage error (default: their
	// names).
	ArgsHint string
	Help     string // one line for the daemon's help
	// ClientNote is added to Help in the client's usage (exit codes, keys).
	ClientNote string
	// Streams: the answer goes on (data lines as events come) until the
	// client sends a line; see docs/operations.md.
	Streams bool
	// Hidden commands (test hooks) are in no help and no completion.
	Hidden bool
	// Synopsis shows the arguments of a command without Args (which
	// checks its own) in its usage.
	Synopsis string
}

// Command names, for dispatch tables.
const (
	CmdHelp      = "help"
	CmdList      = "list"
	CmdWhere     = "where"
	CmdPeers     = "peers"
	CmdMounts    = "mounts"
	CmdPing      = "ping"
	CmdDebug     = "debug"
	CmdLocalhost = "localhost"
	CmdStatus    = "status"
	CmdRefresh   = "refresh"
	CmdQuit      = "quit"
	CmdPanic     = "_panic"
	// CmdDuplicates lists identities shared that should be unique.
	CmdDuplicates = "duplicates"
	// CmdMount and CmdUnmount ask the node holding a disk to mount or
	// unmount it (docs/operations.md, "Remote mount").
	CmdMount   = "mount"
	CmdUnmount = "unmount"
)

// Commands is the command table, in the order of help.
var Commands = []Command{
	{Name: CmdHelp, Aliases: []string{"?"}, Help: "this list", ClientNote: "(help COMMAND for one; needs no daemon)"},
	{Name: CmdList, Help: "every known disk: node, uuid, label, device, type"},
	{Name: CmdWhere, Args: []string{"uuid|label|device"}, ArgsHint: `a UUID, label or device (quote labels with spaces: where "backup 2")`,
		Help: "the node(s) holding a disk, or where it was last seen; .err not-found when never seen", ClientNote: "(exit 1)"},
	{Name: CmdDuplicates, Help: "one physical disk on two nodes, one UUID on two physical disks (cloned filesystems)"},
	{Name: CmdPeers, Help: "the daemons this one has heard from, with their state"},
	{Name: CmdMounts, Help: "the mounted disks and where they are mounted"},
	{Name: CmdMount, Synopsis: "<disk> [--options L]", ArgsHint: "a UUID, label or serial, then optionally --options ro,noatime",
		Help:       "ask the node holding a disk (UUID, label or serial) to mount it; L: options such as ro,noatime",
		ClientNote: "(exit 1 no such disk, 2 refused or failed, 4 no answer)"},
	{Name: CmdUnmount, Synopsis: "<disk>", ArgsHint: "a UUID, label or serial",
		Help: "ask the node holding a disk to unmount it (what mount mounted)", ClientNote: "(exits as mount)"},
	{Name: CmdPing, Help: "ask every peer to announce now (at most once per 5s)"},
	{Name: CmdDebug, Streams: true, Help: "stream events (peers up/down, disks added/removed/mounted, drops) until you send a line",
		ClientNote: "(Enter or Ctrl-C)"},
	{Name: CmdLocalhost, Help: "this daemon: node, instance, addresses, socket, version"},
	{Name: CmdStatus, Help: "traffic, drops, peers, the last blkid run, restarts"},
	{Name: CmdRefresh, Help: "run blkid now; announce at once if the disks changed"},
	{Name: CmdQuit, Aliases: []string{"exit"}, Help: "close this session"},
	{Name: CmdPanic, Args: []string{"part"}, ArgsHint: "info|disk_watcher|multicast|sockets|session", Hidden: true, Help: "crash a part (test builds only)"},
}

// HelpFooter ends the daemon's help.
const HelpFooter = `Add --json to any command for one JSON value. Quote words with spaces: where "backup 2"`

// Lookup finds a command by its word or an alias, in any letter case.
func Lookup(word string) (*Command, bool) {
	word = strings.ToLower(word)
	for i := range Commands {
		c := &Commands[i]
		if c.Name == word {
			return c, true
		}
		for _, a := range c.Aliases {
			if a == word {
				return c, true
			}
		}
	}
	return nil, false
}

// Usage is the command with its arguments, as help shows it: "where
// <uuid|label|device>", "quit | exit".
func (c *Command) Usage() string {
	u := c.Name
	for _, a := range c.Aliases {
		if a != "?" {
			u += " | " + a
		}
	}
	for _, a := range c.Args {
		u += " <" + a + ">"
	}
	if c.Synopsis != "" {
		u += " " + c.Synopsis
	}
	return u
}

// CheckArgs returns the usage error for args, or "" when they fit.
func (c *Command) CheckArgs(args []string) string {
	if c.Args == nil {
		return ""
	}
	ok := len(args) == len(c.Args)
	for _, a := range args {
		ok = ok && a != ""
	}
	if ok {
		return ""
	}
	n := "one non-empty argument"
	if len(c.Args) != 1 {
		n = fmt.Sprintf("%d non-empty arguments", len(c.Args))
	}
	hint := c.ArgsHint
	if hint == "" {
		hint = strings.Join(c.Args, " ")
	}
	return fmt.Sprintf("%s takes %s: %s", c.Name, n, hint)
}

// HelpLines is the daemon's answer to "help": one line per visible
// command, then HelpFooter.
func HelpLines() []string {
	var lines []string
	for i := range Commands {
		if c := &Commands[i]; !c.Hidden {
			lines = append(lines, fmt.Sprintf("%-28s%s", c.Usage(), c.Help))
		}
	}
	return append(lines, HelpFooter)
}

// ClientUsage is the "Commands:" part of the client's usage, indented by
// two spaces: the help lines with the client's notes.
func ClientUsage() string {
	var b strings.Builder
	for i := range Commands {
		c := &Commands[i]
		if c.Hidden {
			continue
		}
		line := c.Help
		if c.ClientNote != "" {
			line += " " + c.ClientNote
		}
		fmt.Fprintf(&b, "  %-28s%s\n", c.Usage(), line)
	}
	return b.String()
}

// Words are the words tab completion offers for the command position: every
// visible name and alias but "?", in table order.
func Words() []string {
	var w []string
	for i := range Commands {
		c := &Commands[i]
		if c.Hidden {
			continue
		}
		w = append(w, c.Name)
		for _, a := range c.Aliases {
			if a != "?" {
				w = append(w, a)
			}
		}
	}
	return w
}

// Streams reports whether the command word of line starts a stream.
func Streams(line string) bool {
	r, err := ParseRequest(line)
	if err != nil {
		return false
	}
	c, ok := Lookup(r.Word)
	return ok && c.Streams
}

// IsQuit reports whether line asks the daemon to close the session.
func IsQuit(line string) bool {
	r, err := ParseRequest(line)
	if err != nil {
		return false
	}
	c, ok := Lookup(r.Word)
	return ok && c.Name == CmdQuit
}
