package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

// List answers "list": every disk in a table, or a JSON array.
func List(inv *messages.Inventory, jsonOut bool) *lineproto.Answer {
	summary := plural(len(inv.Disks), "disk")
	if jsonOut {
		return jsonAnswer(nonNil(inv.Disks), summary)
	}
	return &answer{Lines: diskTable(inv.Disks), Message: summary}
}

// Where answers "where": the matching disks present now, where and when
// the others were last seen (now is the daemon's clock), duplicate UUIDs;
// ".err not-found" when nothing matched, after the JSON data if any.
func Where(r *messages.WhereResult, jsonOut bool, now time.Time) *lineproto.Answer {
	var ans *answer
	if jsonOut {
		ans = jsonAnswer(r, "")
	} else {
		ans = &answer{}
		if len(r.Matches) > 0 {
			ans.Lines = diskTable(r.Matches)
		}
		for _, s := range r.LastSeen {
			ans.Lines = append(ans.Lines, fmt.Sprintf("%s (uuid %s, device %s): last seen on %s, %s ago (%s)",
				displayValue(s.Label), displayValue(s.UUID), displayValue(s.Device), s.Node,
				now.Sub(s.At).Round(time.Second), s.At.Format(time.RFC3339)))
		}
		for _, u := range r.Duplicates {
			ans.Lines = append(ans.Lines, "warning: UUID "+u+" is present on more than one node")
		}
	}
	if len(r.Matches) == 0 && len(r.LastSeen) == 0 {
		ans.Code, ans.Message = "not-found", fmt.Sprintf("no disk matches %s", displayValue(r.Query))
		return ans
	}
	var names []string
	seen := map[string]bool{}
	for _, m := range r.Matches {
		if !seen[m.Node] {
			seen[m.Node] = true
			names = append(names, m.Node)
		}
	}
	switch {
	case len(names) > 0:
		ans.Message = "on " + strings.Join(names, ", ")
	default:
		ans.Message = "last seen on " + r.LastSeen[0].Node
	}
	if len(r.Duplicates) > 0 {
		ans.Message += " (duplicate UUID)"
	}
	return ans
}

// Mounts answers "mounts": one row per mount of every mounted disk.
func Mounts(inv *messages.Inventory, jsonOut bool) *lineproto.Answer {
	var mounted []messages.NodeDisk
	for _, d := range inv.Disks {
		if len(d.Mounts) > 0 {
			mounted = append(mounted, d)
		}
	}
	summary := plural(len(mounted), "mounted disk")
	if jsonOut {
		return jsonAnswer(nonNil(mounted), summary)
	}
	rows := [][]string{{"NODE", "LABEL", "DEVICE", "MOUNTED ON", "TYPE", "MODE"}}
	for _, d := range mounted {
		for _, m := range d.Mounts {
			mode := "rw"
			if m.ReadOnly {
				mode = "ro"
			}
			rows = append(rows, []string{d.Node, displayValue(d.Label), displayValue(d.Device), displayValue(m.Path), displayValue(m.FSType), mode})
		}
	}
	return &answer{Lines: table(rows), Message: summary}
}

// diskHeader heads every table of disks.
var diskHeader = []string{"NODE", "UUID", "LABEL", "DEVICE", "TYPE", "MOUNTED"}

// diskTable renders disks in columns; values that need it are quoted.
func diskTable(disks []messages.NodeDisk) []string {
	rows := [][]string{diskHeader}
	for _, d := range disks {
		rows = append(rows, diskRow(d))
	}
	return table(rows)
}

// diskRow is one disk's cells, cleaned (cleanCell) as Table would.
func diskRow(d messages.NodeDisk) []string {
	mounted := "-"
	if len(d.Mounts) > 0 {
		paths := make([]string, len(d.Mounts))
		for i, m := range d.Mounts {
			paths[i] = displayValue(m.Path)
		}
		mounted = strings.Join(paths, ",")
	}
	return []string{cleanCell(d.Node), displayValue(d.UUID), displayValue(d.Label), displayValue(d.Device), displayValue(d.Type), mounted}
}
