package identity

import (
	"maps"
	"strings"
	"testing"
)

func TestParseUdevData(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     map[string]string
		err      bool
	}{
		{"properties only", "S:disk/by-id/x\nI:123\nE:ID_BUS=ata\nE:ID_MODEL_ENC=a\\x20b\nE:EMPTY=\nG:systemd\n",
			map[string]string{"ID_BUS": "ata", "ID_MODEL_ENC": `a\x20b`, "EMPTY": ""}, false},
		{"value with =", "E:K=a=b", map[string]string{"K": "a=b"}, false},
		{"empty file", "", map[string]string{}, false},
		{"no type", "ID_BUS=ata\n", nil, true},
		{"property without =", "E:ID_BUS\n", nil, true},
		{"bad key", "E:ID BUS=x\n", nil, true},
		{"too long", "E:K=" + strings.Repeat("x", maxUdevLine), nil, true},
		{"invalid UTF-8 value dropped", "E:K=\xff\nE:L=v", map[string]string{"L": "v"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseUdevData([]byte(c.in))
			if (err != nil) != c.err || !c.err && !maps.Equal(got, c.want) {
				t.Errorf("got %v, %v; want %v (error %v)", got, err, c.want, c.err)
			}
		})
	}
}

func TestDecodeEnc(t *testing.T) {
	for in, want := range map[string]string{
		`Cruzer\x20Blade\x20`: "Cruzer Blade ", `plain`: "plain", `bad\xZZ`: `bad\xZZ`, `end\x2`: `end\x2`, `\x41`: "A",
	} {
		if got := decodeEnc(in); got != want {
			t.Errorf("decodeEnc(%q) = %q, want %q", in, got, want)
		}
	}
}

// ParseUdevData never panics, and what it returns is bounded.
func FuzzParseUdevData(f *testing.F) {
	for _, s := range []string{
		"S:disk/by-id/ata-X\nE:ID_BUS=ata\nE:ID_SERIAL_SHORT=S3Z1\nG:systemd\n",
		"E:ID_MODEL_ENC=a\\x20b\\x\n", "E:=\n", "X\n", "E:K=\xff", "\n\n\nE:A=B",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseUdevData(b)
		if err == nil && len(p) > maxUdevProperty {
			t.Fatalf("%d properties", len(p))
		}
		for _, v := range p {
			_ = decodeEnc(v)
		}
	})
}
