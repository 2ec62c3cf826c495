package render

import (
	"encoding/json"

	"github.com/diskd-actors/diskd-actors/messages"
)

// DebugBanner is the first data line of a text "debug" stream.
const DebugBanner = "streaming events; send any line to stop"

// Event renders one "debug" event as one data line: text with the time of
// day, kind, node, disk and detail, or one JSON object. ok is false when
// the event cannot be encoded (it is then skipped).
func Event(e *messages.Event, jsonOut bool) (line string, ok bool) {
	if jsonOut {
		b, err := json.Marshal(e)
		if err != nil {
			return "", false
		}
		return string(b), true
	}
	line = e.Time.Format("15:04:05.000") + " " + e.Kind
	if e.Node != "" {
		line += " " + e.Node
	}
	if e.Disk != nil {
		line += " " + displayValue(e.Disk.Label) + " (" + displayValue(e.Disk.UUID) + ")"
	}
	if e.Detail != "" {
		line += ": " + oneLine(e.Detail)
	}
	return line, true
}

// DebugEnd is the status of a "debug" stream that ended: "N events".
func DebugEnd(streamed int) string { return plural(streamed, "event") }
