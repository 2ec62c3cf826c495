package blkid

import (
	"strings"

	"github.com/diskd-actors/diskd-actors/messages"
)

// Format is a way blkid prints its devices: Full or Export, optionally with
// Raw (blkid -d). Parse reads all four.
type Format uint8

const (
	// Full is blkid's default: `DEV: LABEL="..." UUID="..." TYPE="..."`,
	// one device a line, with a backslash before quotes and backslashes.
	Full Format = 0
	// Export is `blkid -o export`: a DEVNAME= line, one KEY=value line a
	// tag, a blank line after each device, with a backslash before the
	// characters a shell would interpret.
	Export Format = 1
	// Raw is -d (--no-encoding): values are printed as stored, with
	// nothing escaped. Combine it with Full or Export.
	Raw Format = 2
)

// Encode prints disks as util-linux blkid (2.38) does, in the given
// format, so that tests and fake blkid scripts feed the daemon exactly what
// the real program would. Tags are LABEL, UUID and TYPE in that order, each
// left out when empty, and a device with none is not listed; device names
// are printed as they are, as blkid does. Parse(Encode(disks, f), f&Raw != 0) gives back the disks that have
// a UUID or a label, unless a value looks encoded itself (a literal "M-"
// or "^"), or, in the raw Full format, holds a newline or a quote before
// ` KEY="`.
func Encode(disks []messages.Disk, f Format) []byte {
	var b strings.Builder
	raw := f&Raw != 0
	for _, d := range disks {
		if d.Label == "" && d.UUID == "" && d.Type == "" {
			continue
		}
		tags := [...]struct{ key, value string }{{"LABEL", d.Label}, {"UUID", d.UUID}, {"TYPE", d.Type}}
		if f&Export != 0 {
			b.WriteString("DEVNAME=" + d.Device + "\n")
			for _, t := range tags {
				if t.value != "" {
					b.WriteString(t.key + "=" + encodeValue(t.value, exportEsc, raw) + "\n")
				}
			}
			b.WriteString("\n")
			continue
		}
		b.WriteString(d.Device + ":")
		for _, t := range tags {
			if t.value != "" {
				b.WriteString(" " + t.key + `="` + encodeValue(t.value, fullEsc, raw) + `"`)
			}
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}

// encodeValue prints v as blkid's safe_print does without -d: a byte >= 0x80
// as "M-" and its low seven bits, a control character as "^" and ch^0x40,
// then a backslash before the characters of esc. With raw, v is printed as
// it is.
func encodeValue(v, esc string, raw bool) string {
	if raw {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		ch := v[i]
		if ch >= 0x80 {
			b.WriteString("M-")
			ch -= 0x80
		}
		if ch < 0x20 || ch == 0x7f {
			b.WriteByte('^')
			ch ^= 0x40
		}
		if strings.IndexByte(esc, ch) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(ch)
	}
	return b.String()
}
