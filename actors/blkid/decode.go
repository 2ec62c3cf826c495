package blkid

// Decoding of blkid's encoded values: backslash escapes, then the "M-" and
// "^" encodings of high and control bytes, which are ambiguous when a label
// holds those characters literally.

import (
	"fmt"
	"strings"
)

// unit is one printed character of an encoded value; esc marks one
// that blkid put a backslash before, which is never part of "M-" or "^".
type unit struct {
	c   byte
	esc bool
}

// unescape undoes the backslash escapes of an encoded value. Encoded
// output holds only printable ASCII, so anything else means the output was
// raw and the caller was told otherwise.
func unescape(s, esc string, quoted bool) ([]unit, error) {
	// A decoded byte takes at most four printed ones ("M-^A"), so a longer
	// value is over the limit whatever it decodes to.
	if len(s) > 4*maxValue+4 {
		return nil, fmt.Errorf("longer than %d bytes", maxValue)
	}
	units := make([]unit, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 || c >= 0x7f:
			return nil, fmt.Errorf("raw byte 0x%02x in encoded output (did blkid run with -d?)", c)
		case c == '\\':
			if i+1 == len(s) || strings.IndexByte(esc, s[i+1]) < 0 {
				return nil, fmt.Errorf("invalid escape at %s", snippet(s[i:]))
			}
			i++
			units = append(units, unit{s[i], true})
		case !quoted && strings.IndexByte(esc, c) >= 0:
			return nil, fmt.Errorf("unescaped %q (did blkid run with -d?)", c)
		default:
			units = append(units, unit{c, false})
		}
	}
	return units, nil
}

// reading is one way to read printed characters at a position: the byte
// they stand for and how many they are.
type reading struct {
	b byte
	w int
}

// readings lists the readings at u[i], preferred first: "M-^X", "M-X",
// "^X", then the character itself.
func readings(u []unit, i int, buf *[4]reading) []reading {
	n := 0
	if i+2 < len(u) && u[i] == (unit{'M', false}) && u[i+1] == (unit{'-', false}) {
		if b, ok := ctrl(u, i+2); ok {
			buf[n] = reading{0x80 | b, 4}
			n++
		}
		buf[n] = reading{0x80 | u[i+2].c, 3}
		n++
	}
	if b, ok := ctrl(u, i); ok {
		buf[n] = reading{b, 2}
		n++
	}
	buf[n] = reading{u[i].c, 1}
	return buf[:n+1]
}

// ctrl reads "^X" at u[i]: X is '@'..'_' or '?' (DEL).
func ctrl(u []unit, i int) (byte, bool) {
	if i+1 >= len(u) || u[i] != (unit{'^', false}) {
		return 0, false
	}
	if x := u[i+1].c; x >= '@' && x <= '_' || x == '?' {
		return x ^ 0x40, true
	}
	return 0, false
}

// decode undoes the M-/^ encoding. The encoding is ambiguous: a label
// may hold a literal "M-" or "^". Among the readings that give valid UTF-8
// it takes the one that leaves the fewest "M-" undecoded, then the one that
// decodes earliest. cost[i][s] is that fewest number for u[i:] from UTF-8
// state s (-1: no valid reading); the value is then read along it.
func decode(u []unit) (string, error) {
	n := len(u)
	// starts[i] counts the "M-" in u[:i] that could begin an encoded byte.
	starts := make([]int32, n+1)
	for i := range n {
		starts[i+1] = starts[i]
		if i+2 < n && u[i] == (unit{'M', false}) && u[i+1] == (unit{'-', false}) {
			starts[i+1]++
		}
	}
	// altCost counts the "M-" that reading a skips without decoding.
	altCost := func(i int, a reading) int32 {
		c := starts[i+a.w] - starts[i]
		if a.w >= 3 { // a decodes the "M-" at i
			c--
		}
		return c
	}
	cost := make([][utf8States]int32, n+1)
	for s := range utf8States {
		cost[n][s] = -1
	}
	cost[n][utf8Accept] = 0
	var buf [4]reading
	for i := n - 1; i >= 0; i-- {
		alts := readings(u, i, &buf)
		for s := range utf8States {
			best := int32(-1)
			for _, a := range alts {
				if t := utf8Step(s, a.b); t >= 0 && cost[i+a.w][t] >= 0 {
					if c := altCost(i, a) + cost[i+a.w][t]; best < 0 || c < best {
						best = c
					}
				}
			}
			cost[i][s] = best
		}
	}
	if cost[0][utf8Accept] < 0 {
		return "", fmt.Errorf("not valid UTF-8")
	}
	out := make([]byte, 0, n)
	for i, s := 0, utf8Accept; i < n; {
		next := -1
		for _, a := range readings(u, i, &buf) {
			t := utf8Step(s, a.b)
			if t >= 0 && cost[i+a.w][t] >= 0 && altCost(i, a)+cost[i+a.w][t] == cost[i][s] {
				out = append(out, a.b)
				next, s = i+a.w, t
				break
			}
		}
		if next < 0 { // unreachable: cost[i][s] >= 0 on this path
			return "", fmt.Errorf("not valid UTF-8")
		}
		i = next
	}
	return string(out), nil
}

// UTF-8 validation as a state machine (RFC 3629 table 3-7), so that
// decode can ask which readings can still end valid.
const (
	utf8Accept = iota
	utf8Tail1  // one more byte 80..BF
	utf8Tail2  // two more
	utf8Tail3  // three more
	utf8E0     // after E0: A0..BF, then one more
	utf8ED     // after ED: 80..9F (no surrogates), then one more
	utf8F0     // after F0: 90..BF, then two more
	utf8F4     // after F4: 80..8F (up to U+10FFFF), then two more
	utf8States
)

// utf8Step returns the state after byte b, or -1 if b cannot follow.
func utf8Step(s int, b byte) int {
	if s == utf8Accept {
		switch {
		case b < 0x80:
			return utf8Accept
		case b >= 0xc2 && b <= 0xdf:
			return utf8Tail1
		case b == 0xe0:
			return utf8E0
		case b == 0xed:
			return utf8ED
		case b >= 0xe1 && b <= 0xef:
			return utf8Tail2
		case b == 0xf0:
			return utf8F0
		case b >= 0xf1 && b <= 0xf3:
			return utf8Tail3
		case b == 0xf4:
			return utf8F4
		}
		return -1
	}
	lo, hi, next := byte(0x80), byte(0xbf), utf8Accept
	switch s {
	case utf8Tail2:
		next = utf8Tail1
	case utf8Tail3:
		next = utf8Tail2
	case utf8E0:
		lo, next = 0xa0, utf8Tail1
	case utf8ED:
		hi, next = 0x9f, utf8Tail1
	case utf8F0:
		lo, next = 0x90, utf8Tail2
	case utf8F4:
		hi, next = 0x8f, utf8Tail2
	}
	if b < lo || b > hi {
		return -1
	}
	return next
}

// snippet quotes the start of s for an error message.
func snippet(s string) string {
	const max = 40
	if len(s) > max {
		return fmt.Sprintf("%q...", s[:max])
	}
	return fmt.Sprintf("%q", s)
}
