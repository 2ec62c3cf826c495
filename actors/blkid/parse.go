package blkid

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// Limits on what Parse accepts. Labels come from filesystems anyone
// can write (a USB stick), so nothing in blkid's output is trusted to be
// small.
const (
	maxOutput  = 4 << 20 // bytes of output
	maxDevices = 4096
	maxValue   = wire.MaxField // bytes of one decoded value or device name: what a datagram carries
)

// Escaped characters: without -d, blkid puts a backslash before these
// (after its M-/^ encoding, so "M-\$" is 0x80|'$').
const (
	fullEsc   = "\"\\"
	exportEsc = " \\\"'$`<>"
)

// Parse turns the output of util-linux blkid into disks. It reads the
// default ("full") format, `DEV: KEY="value" ...` one device a line, and
// the export format (-o export), detected by a first line `DEVNAME=`.
//
// raw says whether blkid ran with -d (--no-encoding). Then values are the
// bytes as stored, with nothing escaped; quotes inside a full-format value
// are told apart by what follows them (` KEY="` or the end of the line).
// Otherwise values are decoded from blkid's encoding: bytes >= 0x80 as "M-"
// plus the low seven bits, control characters as "^" plus ch^0x40, and a
// backslash before quotes and backslashes (full) or before the characters
// of exportEsc (export). That encoding is ambiguous, as a label may
// hold a literal "M-" or "^": a value is read as valid UTF-8 with as few
// literal "M-" as possible, so "STEAM-LIBRARY" stays as it is. Hence only a
// raw value can be rejected as not UTF-8.
//
// Only devices with a UUID or a LABEL are kept, sorted by device. Any
// malformed line, invalid escape, value that is not UTF-8, duplicate device
// or exceeded limit rejects the whole output, so that the caller keeps its
// last good list rather than applying half of one; the error is a
// *ParseError. Empty output is an empty list.
func Parse(out []byte, raw bool) ([]messages.Disk, error) {
	if len(out) > maxOutput {
		return nil, &ParseError{fmt.Errorf("output is %d bytes, more than the limit of %d", len(out), maxOutput)}
	}
	lines := strings.Split(string(out), "\n")
	p := &parser{raw: raw, lines: map[string]int{}, disks: []messages.Disk{}}
	var err error
	if isExport(lines) {
		err = p.parseExport(lines)
	} else {
		err = p.parseFull(lines)
	}
	if err != nil {
		return nil, &ParseError{err}
	}
	slices.SortFunc(p.disks, func(a, b messages.Disk) int { return strings.Compare(a.Device, b.Device) })
	return p.disks, nil
}

// ParseError says why an output was rejected whole: the line and what is
// wrong with it, or the limit it exceeds.
type ParseError struct{ Err error }

func (e *ParseError) Error() string { return e.Err.Error() }

func (e *ParseError) Unwrap() error { return e.Err }

func isExport(lines []string) bool {
	for _, l := range lines {
		if !blank(l) {
			return strings.HasPrefix(l, "DEVNAME=")
		}
	}
	return false
}

func blank(line string) bool { return strings.TrimSpace(line) == "" }

// parser collects the devices of one output.
type parser struct {
	raw   bool
	lines map[string]int // device → line it was listed on
	count int            // devices seen, kept or not
	disks []messages.Disk
}

// record is one device being read.
type record struct {
	line   int
	device string
	keys   map[string]bool
	disk   messages.Disk
}

func newRecord(line int, device string) *record {
	return &record{line: line, device: device, keys: map[string]bool{}}
}

// set decodes one printed value of key, found on line n, into r.
func (p *parser) set(r *record, n int, key string, units []unit, rawValue string) error {
	if r.keys[key] {
		return fmt.Errorf("line %d: duplicate key %s", n, key)
	}
	r.keys[key] = true
	v := rawValue
	if !p.raw {
		var err error
		if v, err = decode(units); err != nil {
			return fmt.Errorf("line %d: %s: %v", n, key, err)
		}
	}
	if len(v) > maxValue {
		return fmt.Errorf("line %d: %s is longer than %d bytes", n, key, maxValue)
	}
	var field *string
	switch key {
	case "UUID":
		field = &r.disk.UUID
	case "LABEL":
		field = &r.disk.Label
	case "TYPE":
		field = &r.disk.Type
	case "PARTUUID", "PART_ENTRY_UUID": // the latter with -p
		// A partition table's UUID is 36 characters, or 11 for MBR;
		// anything else is ignored rather than carried to the wire.
		if len(v) <= 64 && strings.Trim(v, "0123456789abcdefABCDEF-") == "" {
			r.disk.PartUUID = v
		}
		return nil
	default:
		return nil
	}
	if !utf8.ValidString(v) {
		// Raw (-d) output of a label stored in a legacy code page (FAT):
		// read it as Latin-1 rather than reject the whole scan for it.
		v = latin1(v)
		if len(v) > maxValue {
			return fmt.Errorf("line %d: %s is longer than %d bytes", n, key, maxValue)
		}
	}
	*field = v
	return nil
}

// add finishes a record: it checks the device and keeps the disk if it has
// an identity.
func (p *parser) add(r *record) error {
	switch {
	case r.device == "":
		return fmt.Errorf("line %d: empty device name", r.line)
	case len(r.device) > maxValue:
		return fmt.Errorf("line %d: device name is longer than %d bytes", r.line, maxValue)
	case !utf8.ValidString(r.device):
		return fmt.Errorf("line %d: device name is not valid UTF-8", r.line)
	}
	if first, dup := p.lines[r.device]; dup {
		return fmt.Errorf("line %d: device %q listed again (first on line %d)", r.line, r.device, first)
	}
	p.count++
	if p.count > maxDevices {
		return fmt.Errorf("line %d: more than %d devices", r.line, maxDevices)
	}
	p.lines[r.device] = r.line
	if r.disk.UUID != "" || r.disk.Label != "" {
		r.disk.Device = r.device
		p.disks = append(p.disks, r.disk)
	}
	return nil
}

// parseFull reads `DEV: KEY="value" KEY="value"`, one device a line. Old
// versions of blkid end the line with a space, which is allowed.
func (p *parser) parseFull(lines []string) error {
	for i, line := range lines {
		n := i + 1
		if blank(line) {
			continue
		}
		dev, rest, ok := strings.Cut(line, ": ")
		if !ok {
			return fmt.Errorf("line %d: no \": \" after a device name in %s", n, snippet(line))
		}
		r := newRecord(n, dev)
		for {
			key, after, ok := cutKey(rest, "=\"")
			if !ok {
				return fmt.Errorf("line %d: want KEY=\"value\", got %s", n, snippet(rest))
			}
			var units []unit
			var value string
			var err error
			if p.raw {
				value, rest, err = cutRawQuoted(after)
			} else {
				units, rest, err = cutQuoted(after)
			}
			if err != nil {
				return fmt.Errorf("line %d: %s: %v", n, key, err)
			}
			if err := p.set(r, n, key, units, value); err != nil {
				return err
			}
			if strings.TrimLeft(rest, " ") == "" {
				break
			}
			if rest[0] != ' ' {
				return fmt.Errorf("line %d: want a space after the value of %s, got %s", n, key, snippet(rest))
			}
			rest = rest[1:]
		}
		if err := p.add(r); err != nil {
			return err
		}
	}
	return nil
}

// parseExport reads blocks of `KEY=value` lines, each starting with
// DEVNAME=, separated by blank lines. DEVNAME is never encoded by blkid.
// With -d a value may hold a newline, so a line that is not `KEY=` continues
// the value before it.
func (p *parser) parseExport(lines []string) error {
	var r *record
	var key, value string // the entry being read, for continuation lines
	var keyLine int
	flush := func() error {
		if key == "" {
			return nil
		}
		var units []unit
		if !p.raw {
			var err error
			if units, err = unescape(value, exportEsc, false); err != nil {
				return fmt.Errorf("line %d: %s: %v", keyLine, key, err)
			}
		}
		err := p.set(r, keyLine, key, units, value)
		key = ""
		return err
	}
	end := func() error {
		if r == nil {
			return nil
		}
		if err := flush(); err != nil {
			return err
		}
		err := p.add(r)
		r = nil
		return err
	}
	for i, line := range lines {
		n := i + 1
		if blank(line) {
			if err := end(); err != nil {
				return err
			}
			continue
		}
		k, v, ok := cutKey(line, "=")
		if r == nil {
			if !ok || k != "DEVNAME" {
				return fmt.Errorf("line %d: want DEVNAME= to start a device, got %s", n, snippet(line))
			}
			r = newRecord(n, v)
			r.keys["DEVNAME"] = true
			continue
		}
		if !ok {
			if !p.raw || key == "" {
				return fmt.Errorf("line %d: want KEY=value, got %s", n, snippet(line))
			}
			if len(value)+1+len(line) > maxValue {
				return fmt.Errorf("line %d: %s is longer than %d bytes", keyLine, key, maxValue)
			}
			value += "\n" + line
			continue
		}
		if err := flush(); err != nil {
			return err
		}
		key, value, keyLine = k, v, n
	}
	return end()
}

// cutKey splits s into a key of [A-Z0-9_]+, the separator sep and the
// rest.
func cutKey(s, sep string) (key, rest string, ok bool) {
	i := 0
	for i < len(s) && keyByte(s[i]) {
		i++
	}
	if i == 0 || !strings.HasPrefix(s[i:], sep) {
		return "", "", false
	}
	return s[:i], s[i+len(sep):], true
}

func keyByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// cutRawQuoted reads a value printed with -d up to its closing quote:
// the first quote followed by the end of the line (spaces allowed) or by
// ` KEY="`. A value holding such a sequence cannot be told apart.
func cutRawQuoted(s string) (value, rest string, err error) {
	for i := 0; i < len(s); i++ {
		if s[i] != '"' {
			continue
		}
		after := s[i+1:]
		if strings.TrimLeft(after, " ") == "" {
			return s[:i], after, nil
		}
		if after[0] == ' ' {
			if _, _, ok := cutKey(after[1:], "=\""); ok {
				return s[:i], after, nil
			}
		}
	}
	return "", "", fmt.Errorf("unterminated quote")
}

// cutQuoted reads an encoded full-format value up to its closing
// quote.
func cutQuoted(s string) (units []unit, rest string, err error) {
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			units, err := unescape(s[:i], fullEsc, true)
			return units, s[i+1:], err
		}
		if s[i] == '\\' {
			i++ // skip the escaped byte, which may be a quote
		}
	}
	return nil, "", fmt.Errorf("unterminated quote")
}

// latin1 maps each byte to the rune of the same value: lossless, and
// right for the common accented letters of legacy FAT labels.
func latin1(s string) string {
	r := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		r[i] = rune(s[i])
	}
	return string(r)
}
