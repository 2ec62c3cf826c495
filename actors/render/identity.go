package render

import (
	"fmt"
	"strings"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

// ListLong answers "list --long": every disk with the physical disk it is
// on. The JSON is list's (every object carries its identity anyway).
func ListLong(inv *messages.Inventory, jsonOut bool) *lineproto.Answer {
	if jsonOut {
		return List(inv, true)
	}
	rows := [][]string{{"NODE", "LABEL", "DEVICE", "TYPE", "SIZE", "DISK", "TRANSPORT", "MODEL", "SERIAL", "FLAGS", "UUID"}}
	for _, d := range inv.Disks {
		rows = append(rows, []string{d.Node, DisplayValue(d.Label), DisplayValue(d.Device), DisplayValue(d.Type),
			diskSize(d.Size), DisplayValue(d.WholeDisk), DisplayValue(d.Transport), DisplayValue(d.Model),
			DisplayValue(d.Serial), identityFlags(d.Identity), DisplayValue(d.UUID)})
	}
	return &answer{Lines: append(Table(rows), duplicateLines(inv.Duplicates)...), Message: Plural(len(inv.Disks), "disk")}
}

// Duplicates answers "duplicates": what disks share that should be unique,
// LAN-wide, or a JSON array of messages.Duplicate.
func Duplicates(inv *messages.Inventory, jsonOut bool) *lineproto.Answer {
	dups := inv.Duplicates
	if dups == nil {
		dups = []messages.Duplicate{}
	}
	summary := Plural(len(dups), "duplicate")
	if jsonOut {
		return JSON(dups, summary)
	}
	rows := [][]string{{"KIND", "VALUE", "NODE", "DEVICE", "UUID", "LABEL", "MODEL", "SERIAL", "WWN"}}
	for _, g := range dups {
		for _, d := range g.Disks {
			rows = append(rows, []string{g.Kind, DisplayValue(g.Value), d.Node, DisplayValue(d.Device), DisplayValue(d.UUID),
				DisplayValue(d.Label), DisplayValue(d.Model), DisplayValue(d.Serial), DisplayValue(d.WWN)})
		}
	}
	if len(dups) == 0 {
		return &answer{Message: summary}
	}
	return &answer{Lines: Table(rows), Message: summary}
}

// duplicateLines warns of each duplicate in a line of its own.
func duplicateLines(dups []messages.Duplicate) []string {
	var lines []string
	for _, g := range dups {
		switch g.Kind {
		case messages.DupHardware:
			lines = append(lines, fmt.Sprintf("warning: disk %s is on more than one node at once: %s", DisplayValue(g.Value), strings.Join(g.Nodes, ", ")))
		case messages.DupClonedUUID:
			lines = append(lines, fmt.Sprintf("warning: UUID %s is on %d different physical disks (a cloned filesystem?), on %s",
				DisplayValue(g.Value), len(g.Disks), strings.Join(g.Nodes, ", ")))
		}
	}
	return lines
}

// identityFlags shows the known flags: removable, ssd or hdd; "-" when
// none is known.
func identityFlags(id messages.Identity) string {
	var f []string
	if id.Removable != nil && *id.Removable {
		f = append(f, "removable")
	}
	if id.Rotational != nil {
		if *id.Rotational {
			f = append(f, "rotational")
		} else {
			f = append(f, "non-rotational")
		}
	}
	if len(f) == 0 {
		return "-"
	}
	return strings.Join(f, ",")
}

// diskSize is the SIZE column: the one byte formatter of every table
// (Bytes), "-" when the size is unknown.
func diskSize(n int64) string {
	if n <= 0 {
		return "-"
	}
	return Bytes(n)
}

// hotplugRows is the status line of the device event listener; none when
// the status has none (a daemon before hotplug).
func hotplugRows(h *messages.HotplugStatus) [][]string {
	if h == nil {
		return nil
	}
	line := h.State
	switch h.State {
	case messages.HotplugUnavailable:
		line = "UNAVAILABLE (periodic scans only): " + oneLine(h.Error)
	case messages.HotplugListening:
		line = fmt.Sprintf("listening: %d block device events, %d rescans; %d other events, %d malformed, %d overflows",
			h.Events, h.Rescans, h.Ignored, h.Malformed, h.Overflows)
	}
	return [][]string{{"hotplug:", line}}
}
