package mountinfo

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/diskd-actors/diskd-actors/messages"
)

// Limits on the mount table Parse accepts.
const (
	// maxBytes is the largest input (16 MiB).
	maxBytes = 16 << 20
	// maxLines is the most lines (mounts) in one table.
	maxLines = 100_000
	// maxValue is the longest decoded string (path, source, type).
	maxValue = 4096
	// maxFields bounds the fields of one line; the kernel prints
	// ten plus a few optional fields (shared:N master:N propagate_from:N
	// unbindable).
	maxFields = 64
)

// Parse parses a mount table in the format of /proc/self/mountinfo
// (proc(5)), one mount a line:
//
//	36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//	id parent major:minor root mountpoint options [optional...] - fstype source superoptions
//
// Octal escapes (\040 space, \011 tab, \012 newline, \134 backslash, and
// any \NNN up to \377) are decoded in the root, the mount point, the type
// and the source. ReadOnly is "ro" among the per-mount options; the
// superoptions are not looked at. Resolved is left empty. Every line gives
// one entry, in order; empty input gives none and no error.
//
// A malformed line (too few fields, no " - " separator, a bad number, an
// invalid escape, a NUL, a value longer than 4096 bytes, an empty line),
// more than 100,000 lines or more than 16 MiB fail the whole table, with an
// error naming the line. The per-mount options must start with rw or ro,
// and optional fields must look like tag[:value], which catches most
// unescaped spaces.
func Parse(data []byte) ([]messages.MountEntry, error) {
	if len(data) > maxBytes {
		return nil, fmt.Errorf("mountinfo: the input is larger than the %d-byte limit", maxBytes)
	}
	text := strings.TrimSuffix(string(data), "\n")
	if text == "" {
		return nil, nil
	}
	if strings.Count(text, "\n") >= maxLines {
		return nil, fmt.Errorf("mountinfo: more than %d lines", maxLines)
	}
	var entries []messages.MountEntry
	for n := 1; ; n++ {
		line, rest, more := strings.Cut(text, "\n")
		e, err := parseLine(line)
		if err != nil {
			return nil, fmt.Errorf("mountinfo: line %d: %w", n, err)
		}
		entries = append(entries, e)
		if !more {
			return entries, nil
		}
		text = rest
	}
}

// parseLine parses one line, without its newline.
func parseLine(line string) (messages.MountEntry, error) {
	var e messages.MountEntry
	if line == "" {
		return e, errors.New("empty line")
	}
	f := strings.SplitN(line, " ", maxFields+1)
	if len(f) > maxFields {
		return e, fmt.Errorf("more than %d fields", maxFields)
	}
	sep := -1
	for i := 6; i < len(f); i++ {
		if f[i] == "-" {
			sep = i
			break
		}
	}
	switch {
	case len(f) < 10:
		return e, fmt.Errorf("got %d fields, want at least 10", len(f))
	case sep < 0:
		return e, errors.New(`no " - " separator after the options`)
	case len(f)-sep != 4:
		return e, fmt.Errorf(`got %d fields after " - ", want 3 (type, source, superoptions)`, len(f)-sep-1)
	}
	for i, name := range []string{"mount id", "parent id"} {
		if _, err := strconv.ParseUint(f[i], 10, 64); err != nil {
			return e, fmt.Errorf("%s %q: not a number", name, f[i])
		}
	}
	major, minor, ok := strings.Cut(f[2], ":")
	if _, err := strconv.ParseUint(major, 10, 32); err != nil || !ok {
		return e, fmt.Errorf("device %q: want major:minor", f[2])
	}
	if _, err := strconv.ParseUint(minor, 10, 32); err != nil {
		return e, fmt.Errorf("device %q: want major:minor", f[2])
	}
	for _, opt := range f[6:sep] {
		if !validOptionalField(opt) {
			return e, fmt.Errorf("optional field %q: want tag or tag:value (an unescaped space?)", truncate(opt, 64))
		}
	}
	var err error
	if _, err = decodeField("root", f[3], false); err != nil {
		return e, err
	}
	if e.Path, err = decodeField("mount point", f[4], false); err != nil {
		return e, err
	}
	if e.FSType, err = decodeField("type", f[sep+1], false); err != nil {
		return e, err
	}
	// A source may be empty (mount -t tmpfs "" /mnt): two spaces in a row.
	if e.Source, err = decodeField("source", f[sep+2], true); err != nil {
		return e, err
	}
	// The kernel writes rw or ro first, then the other options.
	if first, _, _ := strings.Cut(f[5], ","); first != "rw" && first != "ro" {
		return e, fmt.Errorf("mount options %q: want rw or ro first (an unescaped space?)", truncate(f[5], 64))
	}
	for opt := range strings.SplitSeq(f[5], ",") {
		if opt == "ro" {
			e.ReadOnly = true
		}
	}
	return e, nil
}

// decodeField decodes one escaped field and checks it.
func decodeField(name, raw string, emptyOK bool) (string, error) {
	if raw == "" && !emptyOK {
		return "", fmt.Errorf("empty %s", name)
	}
	v, ok := unescape(raw)
	switch {
	case !ok:
		return "", fmt.Errorf("%s %q: invalid escape (want \\ and three octal digits up to \\377)", name, truncate(raw, 64))
	case len(v) > maxValue:
		return "", fmt.Errorf("%s is longer than %d bytes", name, maxValue)
	case strings.IndexByte(v, 0) >= 0:
		return "", fmt.Errorf("%s %q contains a NUL byte", name, truncate(raw, 64))
	}
	return v, nil
}

// unescape decodes \NNN octal escapes, as the kernel's mangle()
// writes them; false if a backslash starts no valid escape.
func unescape(s string) (string, bool) {
	if strings.IndexByte(s, '\\') < 0 {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b = append(b, s[i])
			continue
		}
		if i+3 >= len(s) || s[i+1] < '0' || s[i+1] > '3' || !isOctal(s[i+2]) || !isOctal(s[i+3]) {
			return "", false
		}
		b = append(b, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
		i += 3
	}
	return string(b), true
}

// validOptionalField reports whether s looks like an optional field: a tag
// of lower-case letters, digits and underscores (shared, master,
// propagate_from, unbindable, or one a later kernel adds), then an optional
// ":value".
func validOptionalField(s string) bool {
	tag, _, _ := strings.Cut(s, ":")
	if tag == "" {
		return false
	}
	for i := 0; i < len(tag); i++ {
		if c := tag[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// truncate cuts s to at most n bytes for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
