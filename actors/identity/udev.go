package identity

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Bounds on a udev database file: real ones hold a few dozen properties
// of well under 200 bytes each.
const (
	maxUdevFile     = 64 << 10
	maxUdevLine     = 4096
	maxUdevProperty = 512
)

// ParseUdevData reads one file of udevd's database (/run/udev/data/bM:N):
// lines of a one-letter type, ':', and a value. It returns the properties
// (type E, KEY=VALUE); other types (S: symlinks, I: init time, G: tags,
// ...) are skipped. Malformed input is an error, so that a corrupt file is
// reported rather than half read.
func ParseUdevData(b []byte) (map[string]string, error) {
	if len(b) > maxUdevFile {
		return nil, fmt.Errorf("udev data: %d bytes, limit %d", len(b), maxUdevFile)
	}
	props := map[string]string{}
	for n, line := range bytes.Split(b, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		if len(line) > maxUdevLine {
			return nil, fmt.Errorf("udev data line %d: %d bytes, limit %d", n+1, len(line), maxUdevLine)
		}
		if len(line) < 2 || line[1] != ':' {
			return nil, fmt.Errorf("udev data line %d: want T:VALUE", n+1)
		}
		if line[0] != 'E' {
			continue
		}
		k, v, ok := strings.Cut(string(line[2:]), "=")
		if !ok || !validKey(k) {
			return nil, fmt.Errorf("udev data line %d: want E:KEY=VALUE", n+1)
		}
		if len(props) >= maxUdevProperty {
			return nil, fmt.Errorf("udev data: more than %d properties", maxUdevProperty)
		}
		if utf8.ValidString(v) {
			props[k] = v
		}
	}
	return props, nil
}

// validKey accepts udev property names: [A-Za-z0-9_.].
func validKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// decodeEnc undoes udev's \xNN escapes of the *_ENC properties (ID_MODEL_ENC
// keeps the spaces ID_MODEL turns into underscores). Invalid escapes are
// kept as they are.
func decodeEnc(s string) string {
	if !strings.Contains(s, `\x`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' {
			if h, ok := unhex(s[i+2]); ok {
				if l, ok := unhex(s[i+3]); ok {
					b.WriteByte(h<<4 | l)
					i += 3
					continue
				}
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
