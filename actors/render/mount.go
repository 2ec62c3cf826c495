package render

import (
	"fmt"
	"sort"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

// Error codes of mount and unmount, which the client maps to its exit
// codes: not-found 1, refused and failed (and busy) 2, no-answer 4.
const (
	CodeMountRefused  = "refused"
	CodeMountFailed   = "failed"
	CodeMountNoAnswer = "no-answer"
)

// MountAnswer answers "mount" and "unmount": the mount point on success,
// the holder's reason otherwise (after the JSON data when jsonOut).
func MountAnswer(r *messages.MountAnswer, jsonOut bool) *lineproto.Answer {
	var ans *answer
	if jsonOut {
		ans = jsonAnswer(r, "")
	} else {
		ans = &answer{}
	}
	disk, node := displayValue(r.Disk), displayValue(r.Node)
	switch r.Result {
	case "done":
		if !jsonOut {
			ans.Lines = []string{mountLine(r, disk, node)}
		}
		return ans
	case "not-found":
		ans.Code, ans.Message = "not-found", fmt.Sprintf("%s %s: %s", r.Action, disk, oneLine(r.Reason))
	case messages.MountNoAnswer:
		ans.Code, ans.Message = CodeMountNoAnswer, fmt.Sprintf("%s %s: %s", r.Action, disk, oneLine(r.Reason))
	case "failed":
		ans.Code, ans.Message = CodeMountFailed, fmt.Sprintf("%s %s on %s failed: %s", r.Action, disk, node, oneLine(r.Reason))
	default: // refused, busy
		ans.Code, ans.Message = CodeMountRefused, fmt.Sprintf("%s %s refused by %s: %s", r.Action, disk, node, oneLine(r.Reason))
	}
	return ans
}

func mountLine(r *messages.MountAnswer, disk, node string) string {
	switch {
	case r.Action == "unmount" && r.Point == "":
		return fmt.Sprintf("%s on %s: %s", disk, node, oneLine(r.Reason))
	case r.Action == "unmount":
		return fmt.Sprintf("unmounted %s on %s from %s", disk, node, displayValue(r.Point))
	}
	return fmt.Sprintf("%s on %s is mounted at %s", disk, node, displayValue(r.Point))
}

// mountStatusRows is the status line of remote mount.
func mountStatusRows(m *messages.MountStatus) [][]string {
	if m == nil {
		return nil
	}
	policy := "no policy (every request refused)"
	if m.Policy {
		policy = "policy set"
	}
	return [][]string{{"mount:", fmt.Sprintf("%s; %d requests received from %d nodes, %d runs (%d running), %d failed, refused %s; %d asked, %d pending, answers %s, %d stray; %d ids held",
		policy, m.Requests, m.Requesters, m.Ran, m.Running, m.Failed, counts(m.Refused), m.Asked, m.Pending, counts(m.Answers), m.StrayAnswer, m.Replay)}}
}

// counts renders a counter map as "a 1, b 2" in key order, or "none".
func counts(m map[string]uint64) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := ""
	for i, k := range keys {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%s %d", k, m[k])
	}
	return out
}
