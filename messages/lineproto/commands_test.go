package lineproto

import (
	"reflect"
	"strings"
	"testing"
)

// The help text is part of the protocol (docs/protocol.md shows it): any
// change here is a change there.
func TestHelpLines_golden(t *testing.T) {
	want := []string{
		"help                        this list",
		"list                        every known disk: node, uuid, label, device, type",
		"where <uuid|label|device>   the node(s) holding a disk, or where it was last seen; .err not-found when never seen",
		"duplicates                  one physical disk on two nodes, one UUID on two physical disks (cloned filesystems)",
		"peers                       the daemons this one has heard from, with their state",
		"mounts                      the mounted disks and where they are mounted",
		"mount <disk> [--options L]  ask the node holding a disk (UUID, label or serial) to mount it; L: options such as ro,noatime",
		"unmount <disk>              ask the node holding a disk to unmount it (what mount mounted)",
		"ping                        ask every peer to announce now (at most once per 5s)",
		"debug                       stream events (peers up/down, disks added/removed/mounted, drops) until you send a line",
		"localhost                   this daemon: node, instance, addresses, socket, version",
		"status                      traffic, drops, peers, the last blkid run, restarts",
		"refresh                     run blkid now; announce at once if the disks changed",
		"quit | exit                 close this session",
		`Add --json to any command for one JSON value. Quote words with spaces: where "backup 2"`,
	}
	if got := HelpLines(); !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestWords(t *testing.T) {
	want := []string{"help", "list", "where", "duplicates", "peers", "mounts", "mount", "unmount", "ping", "debug", "localhost", "status", "refresh", "quit", "exit"}
	if got := Words(); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestLookup(t *testing.T) {
	for word, want := range map[string]string{"?": CmdHelp, "EXIT": CmdQuit, "Where": CmdWhere, "_panic": CmdPanic} {
		if c, ok := Lookup(word); !ok || c.Name != want {
			t.Errorf("Lookup(%q): got %v, %v; want %s", word, c, ok, want)
		}
	}
	if c, ok := Lookup("bogus"); ok {
		t.Errorf("Lookup(bogus): got %v, want none", c)
	}
}

func TestCheckArgs(t *testing.T) {
	where, _ := Lookup(CmdWhere)
	list, _ := Lookup(CmdList)
	wantErr := `where takes one non-empty argument: a UUID, label or device (quote labels with spaces: where "backup 2")`
	for _, tt := range []struct {
		c    *Command
		args []string
		want string
	}{
		{where, []string{"x"}, ""},
		{where, nil, wantErr},
		{where, []string{""}, wantErr},
		{where, []string{"a", "b"}, wantErr},
		{list, []string{"extra", "words"}, ""},
	} {
		if got := tt.c.CheckArgs(tt.args); got != tt.want {
			t.Errorf("%s %q: got %q, want %q", tt.c.Name, tt.args, got, tt.want)
		}
	}
}

func TestStreamsAndIsQuit(t *testing.T) {
	for line, want := range map[string][2]bool{
		"debug": {true, false}, "DEBUG --json": {true, false}, "list": {false, false},
		"quit": {false, true}, " Exit ": {false, true}, `"quit`: {false, false}, "": {false, false},
	} {
		if got := [2]bool{Streams(line), IsQuit(line)}; got != want {
			t.Errorf("%q: got streams/quit %v, want %v", line, got, want)
		}
	}
}

func TestClientUsage(t *testing.T) {
	u := ClientUsage()
	if !strings.Contains(u, "  debug                       stream events") || strings.Contains(u, "_panic") {
		t.Errorf("got\n%s", u)
	}
	if n := strings.Count(u, "\n"); n != len(Words())-1 {
		t.Errorf("got %d lines, want one per visible command (%d)", n, len(Words())-1)
	}
}
