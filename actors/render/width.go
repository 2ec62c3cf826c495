package render

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
)

// Columns are aligned by display width, the cells a terminal gives a
// string: 写 takes two, a combining accent none. go-runewidth knows the
// East Asian widths, zero-width marks and emoji, and measures grapheme
// clusters (golang.org/x/text/width knows only the East Asian property, so
// marks and emoji would be ours to get right). Its condition is fixed, not
// read from the daemon's locale: the answer is read on another terminal,
// and ambiguous characters count one cell, as on most of them.
var cells = &runewidth.Condition{EastAsianWidth: false, StrictEmojiNeutral: true}

func init() { cells.CreateLUT() }

// Width is the display width of s in terminal cells.
func Width(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] >= utf8.RuneSelf {
			return cells.StringWidth(s)
		}
	}
	return len(s)
}

// unsafeRune reports a rune that must not reach a terminal raw: controls
// (C0, DEL, C1: a C1 CSI draws as ESC [ does) and format characters (bidi
// overrides reorder what follows, zero-width ones hide text).
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// cleanCell escapes what unsafeRune refuses (a tab in a cell would draw a
// column of its own) and invalid UTF-8, in Go syntax without the quotes;
// cells from DisplayValue are already quoted and pass unchanged.
func cleanCell(s string) string {
	if !needsClean(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r) || r == utf8.RuneError && n == 1 {
			q := strconv.QuoteToASCII(s[i : i+n])
			b.WriteString(q[1 : len(q)-1])
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func needsClean(s string) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r) || r == utf8.RuneError && n == 1 {
			return true
		}
		i += n
	}
	return false
}

// Table aligns rows in columns two spaces apart, by display width, without
// trailing spaces. A column is as wide as its widest cell among the rows
// that have a cell after it (a row's last cell is not padded). Cells are
// cleaned (cleanCell).
func Table(rows [][]string) []string {
	clean := make([][]string, len(rows))
	for i, r := range rows {
		clean[i] = make([]string, len(r))
		for j, c := range r {
			clean[i][j] = cleanCell(c)
		}
	}
	var w columns
	for _, r := range clean {
		w.fit(r)
	}
	lines := make([]string, len(clean))
	var b []byte
	for i, r := range clean {
		b = w.appendRow(b[:0], r)
		lines[i] = string(b)
	}
	return lines
}

// columns are the widths of a table's columns (see Table).
type columns []int

// fit widens the columns for one row.
func (w *columns) fit(row []string) {
	for j := 0; j+1 < len(row); j++ {
		if j >= len(*w) {
			*w = append(*w, 0)
		}
		(*w)[j] = max((*w)[j], Width(row[j]))
	}
}

// appendRow appends one row, padded, without trailing spaces or LF.
func (w columns) appendRow(b []byte, row []string) []byte {
	start, pad := len(b), 0
	for j, c := range row {
		b = append(b, strings.Repeat(" ", pad)...)
		b = append(b, c...)
		if j < len(w) {
			pad = w[j] - Width(c) + 2
		}
	}
	end := len(b)
	for end > start && b[end-1] == ' ' {
		end--
	}
	return b[:end]
}
