package blkid

import "testing"

// longOpt follows getopt_long: an exact name, or a prefix of exactly one.
func TestLongOpt(t *testing.T) {
	for _, c := range []struct {
		in       string
		want     string
		takesArg bool
	}{
		{"no-encoding", "no-encoding", false},
		{"no-e", "no-encoding", false},
		{"output", "output", true},
		{"out", "output", true},
		{"cache", "cache-file", true},
		{"hel", "help", false},
		{"h", "", false},  // hint, help: ambiguous
		{"u", "", false},  // uuid, usages
		{"l", "", false},  // list-filesystems, list-one, label
		{"no", "", false}, // no-encoding, no-part-details
		{"", "", false},
		{"nonsense", "", false},
		{"outputs", "", false}, // longer than any name
	} {
		t.Run(c.in, func(t *testing.T) {
			got, arg := longOpt(c.in)
			if got != c.want || arg != c.takesArg {
				t.Errorf("got %q, %v, want %q, %v", got, arg, c.want, c.takesArg)
			}
		})
	}
}

// Every short option that takes an argument is in blkid's getopt string
// with a colon, and no other is: RawOutput depends on this to skip
// option arguments.
func TestArgOpts_matchGetopt(t *testing.T) {
	const getopt = "c:DdgH:hilL:n:ko:O:ps:S:t:u:U:w:Vv"
	var want []byte
	for i := 0; i < len(getopt); i++ {
		if i+1 < len(getopt) && getopt[i+1] == ':' {
			want = append(want, getopt[i])
		}
	}
	if string(want) != argOpts {
		t.Errorf("got %q, want %q", argOpts, want)
	}
}

func TestEncodeValue(t *testing.T) {
	for _, c := range []struct {
		name, in, esc string
		raw           bool
		want          string
	}{
		{"plain", "backup", fullEsc, false, "backup"},
		{"high byte as M-", "\xe9", fullEsc, false, "M-i"},
		{"control as caret", "a\x01b", fullEsc, false, "a^Ab"},
		{"DEL as caret", "\x7f", fullEsc, false, "^?"},
		{"high control", "\x81", fullEsc, false, "M-^A"},
		{"quote escaped in full", `a"b`, fullEsc, false, `a\"b`},
		{"backslash escaped in full", `a\b`, fullEsc, false, `a\\b`},
		{"space escaped in export", "a b", exportEsc, false, `a\ b`},
		{"raw left alone", "a \"\x01\xe9", fullEsc, true, "a \"\x01\xe9"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := encodeValue(c.in, c.esc, c.raw); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}
