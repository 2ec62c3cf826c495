package wire

// One-pass decoding of envelopes.
//
// decodeFast reads an envelope body in a single pass over its bytes, with
// no reflection, straight into the typed Envelope. It is a fast path, not
// a second definition of the format: it accepts only input for which it is
// sure that encoding/json would produce the same Envelope, which covers
// everything encoders write. On anything else (null, a duplicate key, an
// escaped key, a key that matches a field only case-insensitively, a
// number with a fraction or an exponent, a surrogate escape, deep nesting,
// any syntax error) it gives up, and decodeBody decodes the body with
// encoding/json, whose verdict is the wire format's. So a datagram is
// accepted, or dropped under a reason, exactly as before; only the cost
// changes. FuzzDecodeFast holds the two to this.

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/diskd-actors/diskd-actors/messages"
)

// maxSkipDepth bounds the nesting of an unknown field's value that the
// fast path skips; deeper values go the slow way.
const maxSkipDepth = 32

// The JSON names of the decoded types' fields, all of them, including any
// decodeFast does not know: a key that matches one of these only
// case-insensitively (encoding/json would fill the field) sends the body
// the slow way instead of being skipped as unknown.
var (
	envelopeNames = jsonNames(reflect.TypeFor[Envelope]())
	diskNames     = jsonNames(reflect.TypeFor[messages.Disk]())
	mountNames    = jsonNames(reflect.TypeFor[messages.Mount]())
)

func jsonNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			// An embedded struct without a JSON name: encoding/json puts
			// its fields beside the outer ones (messages.Identity in Disk).
			names = append(names, jsonNames(f.Type)...)
			continue
		}
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		names = append(names, name)
	}
	return names
}

// decodeFast decodes body into e, or reports false if the slow path must
// decide. e may be partly filled when it reports false.
func decodeFast(body []byte, e *Envelope) bool {
	// Strings without escapes are cut from one copy of the body: one
	// allocation instead of one per string. They keep that copy (at most
	// MaxDatagram bytes) alive as long as any of them is.
	c := cursor{b: body, s: string(body)}
	if !c.envelope(e) {
		return false
	}
	c.ws()
	return c.i == len(c.b) // anything after the object: the slow path says why
}

// cursor reads JSON from b at i. Its methods skip leading white space and
// report false, leaving i anywhere, when the input is not in the shape
// they take.
type cursor struct {
	b []byte
	s string // b as a string
	i int
}

func (c *cursor) ws() {
	for c.i < len(c.b) {
		switch c.b[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}

// eat consumes ch if it comes next.
func (c *cursor) eat(ch byte) bool {
	c.ws()
	if c.i < len(c.b) && c.b[c.i] == ch {
		c.i++
		return true
	}
	return false
}

// object reads an object, calling field with each key (without escapes;
// it aliases b) to read the value that follows.
func (c *cursor) object(field func(key []byte) bool) bool {
	if !c.eat('{') {
		return false
	}
	if c.eat('}') {
		return true
	}
	for {
		k, ok := c.key()
		if !ok || !field(k) {
			return false
		}
		if !c.eat(',') {
			return c.eat('}')
		}
	}
}

// key reads an object key without escapes and the colon after it.
func (c *cursor) key() ([]byte, bool) {
	if !c.eat('"') {
		return nil, false
	}
	start := c.i
	for ; c.i < len(c.b); c.i++ {
		switch ch := c.b[c.i]; {
		case ch == '"':
			k := c.b[start:c.i]
			c.i++
			return k, c.eat(':')
		case ch == '\\' || ch < 0x20:
			return nil, false
		}
	}
	return nil, false
}

// unknown skips the value of a key that names no field of names, or
// reports false if it names one but for case (or is unknown to
// decodeFast although the type has it).
func (c *cursor) unknown(key []byte, names []string) bool {
	for _, n := range names {
		if bytes.EqualFold(key, []byte(n)) {
			return false
		}
	}
	return c.skip(0)
}

// str reads a string. The body is valid UTF-8 (decodeBody checks it
// first), so the bytes between two quotes are too.
func (c *cursor) str() (string, bool) {
	if !c.eat('"') {
		return "", false
	}
	start := c.i
	for ; c.i < len(c.b); c.i++ {
		switch ch := c.b[c.i]; {
		case ch == '"':
			s := c.s[start:c.i]
			c.i++
			return s, true
		case ch == '\\':
			return c.escaped(start)
		case ch < 0x20:
			return "", false
		}
	}
	return "", false
}

// escaped finishes reading a string that started at start and has an
// escape at i.
func (c *cursor) escaped(start int) (string, bool) {
	out := make([]byte, 0, 2*(c.i-start)+16)
	out = append(out, c.b[start:c.i]...)
	for c.i < len(c.b) {
		ch := c.b[c.i]
		switch {
		case ch == '"':
			c.i++
			return string(out), true
		case ch < 0x20:
			return "", false
		case ch != '\\':
			out = append(out, ch)
			c.i++
			continue
		}
		if c.i+1 >= len(c.b) {
			return "", false
		}
		switch e := c.b[c.i+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(c.b[c.i+2:])
			if !ok || utf16.IsSurrogate(r) { // pairs and lone halves: the slow path
				return "", false
			}
			out = utf8.AppendRune(out, r)
			c.i += 4
		default:
			return "", false
		}
		c.i += 2
	}
	return "", false
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, ch := range b[:4] {
		switch {
		case ch >= '0' && ch <= '9':
			ch -= '0'
		case ch >= 'a' && ch <= 'f':
			ch -= 'a' - 10
		case ch >= 'A' && ch <= 'F':
			ch -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(ch)
	}
	return r, true
}

// digits reads the digits of a JSON integer: no leading zero, no
// overflow of a uint64.
func (c *cursor) digits() (uint64, bool) {
	start := c.i
	var n uint64
	for ; c.i < len(c.b) && c.b[c.i] >= '0' && c.b[c.i] <= '9'; c.i++ {
		d := uint64(c.b[c.i] - '0')
		if n > (math.MaxUint64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	l := c.i - start
	return n, l == 1 || l > 1 && c.b[start] != '0'
}

func (c *cursor) uint64() (uint64, bool) {
	c.ws()
	return c.digits()
}

func (c *cursor) int() (int, bool) {
	n, ok := c.int64()
	if !ok || n < math.MinInt || n > math.MaxInt {
		return 0, false // -0 and overflows: the slow path
	}
	return int(n), true
}

func (c *cursor) int64() (int64, bool) {
	c.ws()
	neg := c.i < len(c.b) && c.b[c.i] == '-'
	if neg {
		c.i++
	}
	n, ok := c.digits()
	switch {
	case !ok:
		return 0, false
	case neg && n > 0 && n <= uint64(math.MaxInt64)+1:
		return int64(-n), true // -n wraps to the negative value's bits
	case !neg && n <= math.MaxInt64:
		return int64(n), true
	}
	return 0, false // -0 and overflows: the slow path
}

func (c *cursor) bool() (v, ok bool) {
	c.ws()
	switch {
	case bytes.HasPrefix(c.b[c.i:], []byte("true")):
		c.i += 4
		return true, true
	case bytes.HasPrefix(c.b[c.i:], []byte("false")):
		c.i += 5
		return false, true
	}
	return false, false
}

// ints reads an array of ints; [] is an empty slice, as encoding/json
// makes it.
func (c *cursor) ints() ([]int, bool) {
	if !c.eat('[') {
		return nil, false
	}
	out := []int{}
	if c.eat(']') {
		return out, true
	}
	for {
		n, ok := c.int()
		if !ok {
			return nil, false
		}
		out = append(out, n)
		if !c.eat(',') {
			return out, c.eat(']')
		}
	}
}
