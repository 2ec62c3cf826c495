package web

import (
	"strings"

	"github.com/diskd-actors/diskd-actors/messages"
)

// Matches reports whether a search for q finds d: its label, UUID or
// device contains q, ignoring case (q is folded once by Fold). An empty q
// finds nothing, so that an empty search box lists nothing.
func Matches(d messages.Disk, folded string) bool {
	if folded == "" {
		return false
	}
	return strings.Contains(strings.ToLower(d.Label), folded) ||
		strings.Contains(strings.ToLower(d.UUID), folded) ||
		strings.Contains(strings.ToLower(d.Device), folded)
}

// Fold prepares a query for Matches.
func Fold(q string) string { return strings.ToLower(strings.TrimSpace(q)) }

// MaxQuery bounds a search query, in bytes: a label is at most a few
// hundred bytes, anything longer matches nothing.
const MaxQuery = 512
