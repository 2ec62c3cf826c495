package web

import (
	"strings"

	"github.com/diskd-actors/diskd-actors/messages"
)

// Matches reports whether a search for q finds d: its label, UUID,
// device, serial, WWN or model contains q, ignoring case (q is folded once by Fold). An empty q
// finds nothing, so that an empty search box lists nothing. Info calls it
// for every disk it knows at each keystroke, so the common case (ASCII
// fields) allocates nothing.
func Matches(d messages.Disk, folded string) bool {
	if folded == "" {
		return false
	}
	return containsFold(d.Label, folded) || containsFold(d.UUID, folded) || containsFold(d.Device, folded) ||
		containsFold(d.Serial, folded) || containsFold(d.WWN, folded) || containsFold(d.Model, folded)
}

// Fold prepares a query for Matches.
func Fold(q string) string { return strings.ToLower(strings.TrimSpace(q)) }

// MaxQuery bounds a search query, in bytes: a label is at most a few
// hundred bytes, anything longer matches nothing.
const MaxQuery = 512

// containsFold reports whether s contains the lower-case sub, ignoring
// the case of s. For an ASCII sub it folds only ASCII letters of s, without
// allocating (candidates found with IndexByte, which is vectorised): bytes
// of multi-byte characters never equal ASCII. A sub with other characters
// goes through strings.ToLower.
func containsFold(s, sub string) bool {
	if !isASCII(sub) {
		return strings.Contains(strings.ToLower(s), sub)
	}
	lo, up := sub[0], upper(sub[0])
	for i := 0; i+len(sub) <= len(s); i++ {
		rest := s[i : len(s)-len(sub)+1] // where sub may start
		k := strings.IndexByte(rest, lo)
		if up != lo {
			if ku := strings.IndexByte(rest, up); ku >= 0 && (k < 0 || ku < k) {
				k = ku
			}
		}
		if k < 0 {
			return false
		}
		i += k
		j := 1
		for j < len(sub) && lower(s[i+j]) == sub[j] {
			j++
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
