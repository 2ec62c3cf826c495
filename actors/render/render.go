// Package render turns the daemon's replies (messages values) into answers
// of the line protocol: text for people, or one JSON value for programs.
// It is pure: values in, lines out, the time passed in; Session calls it
// and writes what it returns.
package render

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

// answer is what every renderer returns.
type answer = lineproto.Answer

// Error is an answer with only an error status.
func Error(code, msg string) *lineproto.Answer { return &answer{Code: code, Message: msg} }

// JSON renders v as one JSON data line with the given summary.
func JSON(v any, summary string) *lineproto.Answer {
	b, err := json.Marshal(v)
	if err != nil {
		return Error("internal", err.Error())
	}
	return &answer{Lines: []string{string(b)}, Message: summary}
}

// Help is the answer to "help": the command table's help lines, or the
// same lines as one JSON array of strings.
func Help(jsonOut bool) *lineproto.Answer {
	if jsonOut {
		return JSON(lineproto.HelpLines(), "")
	}
	return &answer{Lines: lineproto.HelpLines()}
}

// DisplayValue shows "-" for an empty value and quotes, in Go syntax, one
// that would be ambiguous in a column (spaces, quotes, backslashes, control
// and format characters (unsafeRune), a no-break space, invalid UTF-8, a
// leading combining mark (it would join the column gap), or "-" itself).
// Labels come from other hosts: quoting also keeps a hostile one from
// drawing on the terminal.
func DisplayValue(s string) string {
	if s == "" {
		return "-"
	}
	if strings.ContainsFunc(s, func(r rune) bool {
		return r <= ' ' || r == '"' || r == '\\' || r == '\u00a0' || unsafeRune(r)
	}) || s == "-" || !utf8.ValidString(s) || startsWithMark(s) {
		return strconv.Quote(s)
	}
	return s
}

// Plural is "1 disk", "2 disks".
func Plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// The short names the renderers use.
var (
	displayValue = DisplayValue
	plural       = Plural
	table        = Table
	oneLine      = lineproto.OneLine
	jsonAnswer   = JSON
	errAnswer    = Error
)

// FormatCounts is "a=1 b=2" in key order, or "none".
func FormatCounts(m map[string]uint64) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, m[k])
	}
	return strings.Join(parts, " ")
}

var formatCounts = FormatCounts

// Ago is "3s ago", or "never" for a zero time.
func Ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return now.Sub(t).Round(time.Second).String() + " ago"
}

var ago = Ago

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// startsWithMark reports a value whose first rune is a combining mark.
func startsWithMark(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc)
}
