package statefile

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/diskd-actors/diskd-actors/messages"
)

// Decode parses a state file: JSON, or the earlier YAML format (anything
// that does not start with '{'). legacy reports the YAML case, which the
// caller should save again soon to migrate it.
func Decode(b []byte) (snap *messages.StateSnapshot, legacy bool, err error) {
	if len(b) > MaxSize {
		return nil, false, &Error{Offset: MaxSize, Reason: fmt.Sprintf("file is larger than the %d-byte limit", MaxSize)}
	}
	i := skipSpace(b, 0)
	if i == len(b) {
		return nil, false, ErrEmpty
	}
	if b[i] != '{' {
		snap, err = decodeYAML(b)
		return snap, true, err
	}
	snap, err = decodeJSON(b)
	return snap, false, err
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// decodeJSON is a parser for exactly the state file's schema: faster than
// encoding/json (no reflection, one pass) and in control of its errors,
// which must not quote the input.
func decodeJSON(b []byte) (*messages.StateSnapshot, error) {
	if !utf8.Valid(b) {
		i := 0
		for i < len(b) {
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			i += n
		}
		return nil, &Error{Offset: int64(i), Reason: "not valid UTF-8"}
	}
	p := &parser{b: b, interned: map[string]string{}}
	s := &messages.StateSnapshot{}
	version := -1
	err := p.object("", func(key []byte, at int) error {
		switch string(key) {
		case "comment":
			_, err := p.str("comment")
			return err
		case "version":
			v, err := p.uint("version")
			version = v
			return err
		case "node":
			return p.strTo("node", &s.Node)
		case "saved_at":
			return p.timeTo("saved_at", &s.SavedAt)
		case "peers":
			return p.peers(s)
		case "sightings":
			return p.sightings(s)
		}
		return p.fail(at, "", "unknown field")
	})
	if err != nil {
		return nil, err
	}
	if i := skipSpace(b, p.i); i != len(b) {
		return nil, p.fail(i, "", "data after the end of the document")
	}
	if err := p.resolveRefs(s); err != nil {
		return nil, err
	}
	if version != messages.StateVersion {
		return nil, p.fail(0, "version", fmt.Sprintf("unsupported or missing version, want %d", messages.StateVersion))
	}
	if path, err := validSnapshotHead(s); err != nil {
		return nil, p.fail(0, path, err.Error())
	}
	s.Version = messages.StateVersion
	return s, nil
}

// special marks the bytes that end the fast scan of a string.
var special = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

type parser struct {
	b []byte
	i int
	// interned shares equal strings: a sighting repeats its disk and node,
	// so a load allocates (and Info then keeps) each string once.
	interned map[string]string
	refs     []sightingRef   // sightings to resolve once all is parsed
	scratch  []messages.Disk // a peer's disks while they are parsed
}

func (p *parser) fail(at int, path, reason string) error {
	return &Error{Offset: int64(at), Path: path, Reason: reason}
}

// peek skips white space and returns the next byte (0 at the end).
func (p *parser) peek() byte {
	p.i = skipSpace(p.b, p.i)
	if p.i >= len(p.b) {
		return 0
	}
	return p.b[p.i]
}

func (p *parser) want(c byte, path, what string) error {
	if p.peek() != c {
		if p.i >= len(p.b) {
			return p.fail(p.i, path, "unexpected end of file, want "+what)
		}
		return p.fail(p.i, path, "want "+what)
	}
	p.i++
	return nil
}

// object parses {"key": value, ...}, calling field with each key and the
// key's offset; field must consume the value. A repeated key is an error.
func (p *parser) object(path string, field func(key []byte, at int) error) error {
	if err := p.want('{', path, "an object"); err != nil {
		return err
	}
	var seen [8][]byte // a record has at most 8 fields; more fail as unknown
	n := 0
	if p.peek() == '}' {
		p.i++
		return nil
	}
	for {
		at := skipSpace(p.b, p.i)
		key, err := p.rawStr(path, "a field name")
		if err != nil {
			return err
		}
		for _, k := range seen[:n] {
			if bytes.Equal(k, key) {
				return p.fail(at, path, "repeated field")
			}
		}
		if n < len(seen) {
			seen[n] = key
			n++
		}
		if err := p.want(':', path, "':'"); err != nil {
			return err
		}
		p.peek()
		if err := field(key, at); err != nil {
			return err
		}
		switch p.peek() {
		case ',':
			p.i++
		case '}':
			p.i++
			return nil
		default:
			return p.fail(p.i, path, "want ',' or '}'")
		}
	}
}

// array parses [v, ...], calling elem with each index; elem consumes it.
func (p *parser) array(path string, elem func(i int) error) error {
	if err := p.want('[', path, "a list"); err != nil {
		return err
	}
	if p.peek() == ']' {
		p.i++
		return nil
	}
	for i := 0; ; i++ {
		if err := elem(i); err != nil {
			return err
		}
		switch p.peek() {
		case ',':
			p.i++
		case ']':
			p.i++
			return nil
		default:
			return p.fail(p.i, path, "want ',' or ']'")
		}
	}
}

// rawStr parses a string, returning its bytes; without escapes they alias
// the input.
func (p *parser) rawStr(path, what string) ([]byte, error) {
	if p.peek() != '"' {
		if p.i >= len(p.b) {
			return nil, p.fail(p.i, path, "unexpected end of file, want "+what)
		}
		return nil, p.fail(p.i, path, "want "+what)
	}
	start := p.i + 1
	for i := start; i < len(p.b); i++ {
		c := p.b[i]
		if !special[c] {
			continue
		}
		switch {
		case c == '"':
			p.i = i + 1
			return p.b[start:i], nil
		case c == '\\':
			return p.escaped(start, i, path)
		default:
			return nil, p.fail(i, path, "control character in a string")
		}
	}
	return nil, p.fail(len(p.b), path, "unexpected end of file in a string")
}

// escaped finishes a string that has an escape at i.
func (p *parser) escaped(start, i int, path string) ([]byte, error) {
	out := append([]byte(nil), p.b[start:i]...)
	for i < len(p.b) {
		c := p.b[i]
		switch {
		case c == '"':
			p.i = i + 1
			return out, nil
		case c < 0x20:
			return nil, p.fail(i, path, "control character in a string")
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(p.b) {
			break
		}
		switch e := p.b[i+1]; e {
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
			r, n := p.hex4(i + 2)
			if n < 0 {
				return nil, p.fail(i, path, "bad \\u escape")
			}
			if utf16.IsSurrogate(r) {
				r2, n2 := p.hex4(i + 8)
				if n2 < 0 || p.b[i+6] != '\\' || p.b[i+7] != 'u' {
					return nil, p.fail(i, path, "lone UTF-16 surrogate")
				}
				if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
					return nil, p.fail(i, path, "bad UTF-16 surrogate pair")
				}
				i += 6
			}
			out = utf8.AppendRune(out, r)
			i += 4
		default:
			return nil, p.fail(i, path, "bad escape")
		}
		i += 2
	}
	return nil, p.fail(len(p.b), path, "unexpected end of file in a string")
}

// hex4 reads four hex digits at i; n is -1 if there are none.
func (p *parser) hex4(i int) (r rune, n int) {
	if i+4 > len(p.b) {
		return 0, -1
	}
	v, err := strconv.ParseUint(string(p.b[i:i+4]), 16, 16)
	if err != nil {
		return 0, -1
	}
	return rune(v), 4
}

func (p *parser) str(path string) (string, error) {
	b, err := p.rawStr(path, "a string")
	return string(b), err
}

// strTo parses a string into dst, interned.
func (p *parser) strTo(path string, dst *string) error {
	b, err := p.rawStr(path, "a string")
	if err != nil {
		return err
	}
	if s, ok := p.interned[string(b)]; ok {
		*dst = s
		return nil
	}
	s := string(b)
	if len(p.interned) < maxInterned {
		p.interned[s] = s
	}
	*dst = s
	return nil
}

// maxInterned bounds the interning map.
const maxInterned = 1 << 20

func (p *parser) uint(path string) (int, error) {
	at := p.i
	j := at
	for j < len(p.b) && j-at < 9 && p.b[j] >= '0' && p.b[j] <= '9' {
		j++
	}
	if j == at {
		return 0, p.fail(at, path, "want a number")
	}
	v, _ := strconv.Atoi(string(p.b[at:j]))
	p.i = j
	return v, nil
}

func (p *parser) boolTo(path string, dst *bool) error {
	switch {
	case bytes.HasPrefix(p.b[p.i:], []byte("true")):
		*dst, p.i = true, p.i+4
	case bytes.HasPrefix(p.b[p.i:], []byte("false")):
		*dst, p.i = false, p.i+5
	default:
		return p.fail(p.i, path, "want true or false")
	}
	return nil
}

func (p *parser) timeTo(path string, dst *time.Time) error {
	at := p.i
	b, err := p.rawStr(path, "a time")
	if err != nil {
		return err
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return p.fail(at, path, "not an RFC 3339 time")
	}
	*dst = t
	return nil
}
