package main

// Hints: when an answer is empty for a reason the user can fix, the client
// says why on stderr. Text mode only; --json output stays the data alone.

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

// isList reports whether line runs "list".
func isList(line string) bool {
	r, err := lineproto.ParseRequest(line)
	if err != nil {
		return false
	}
	c, ok := lineproto.Lookup(r.Word)
	return ok && c.Name == lineproto.CmdList && !r.JSON
}

// emptyListHint asks the daemon's status why it knows no disk; "" when
// status cannot say.
func emptyListHint(c *conn, socket string) string {
	ans, err := c.roundTrip("status --json", nil)
	if err != nil || !ans.OK() || len(ans.Lines) != 1 {
		return ""
	}
	var st messages.Status
	if json.Unmarshal([]byte(ans.Lines[0]), &st) != nil {
		return ""
	}
	return listHint(st, socketOwner(socket))
}

// socketOwner is the uid the daemon runs as, judged by its socket's
// owner; -1 when unknown.
func socketOwner(socket string) int {
	fi, err := os.Stat(socket)
	if err != nil {
		return -1
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}

// listHint explains an empty list from the daemon's status: blkid has not
// run, failed, or found nothing (as non-root it usually does); no peer
// either.
func listHint(st messages.Status, daemonUID int) string {
	var why []string
	switch b := st.Blkid; {
	case b == nil:
		why = append(why, "the daemon has not run blkid yet; try again in a moment, or run refresh")
	case b.Outcome == "not_found":
		why = append(why, "the daemon cannot run blkid ("+b.Error+"); install util-linux's blkid or set blkid.command")
	case b.Outcome == "permission":
		why = append(why, "blkid was refused ("+b.Error+"); run the daemon as root (sudo)")
	case b.Outcome != "ok":
		why = append(why, fmt.Sprintf("blkid failed on the daemon's host (%s: %s)", b.Outcome, b.Error))
	case b.Disks == 0 && daemonUID > 0:
		why = append(why, "blkid found no disks: run as a user other than root it usually sees none; start the daemon with sudo")
	case b.Disks == 0:
		why = append(why, "blkid found no disks on the daemon's host")
	}
	if st.Peers == 0 {
		why = append(why, "no other daemon has been heard (same multicast group and port, and interface?)")
	}
	if len(why) == 0 {
		return ""
	}
	return "hint: no disks known: " + strings.Join(why, "; ") + `. "diskd-actors status" shows more.`
}
