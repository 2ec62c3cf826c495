package mountinfo

import (
	"strings"
	"testing"
)

func TestUnescape(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
		ok             bool
	}{
		{"no escape", "/mnt/usb", "/mnt/usb", true},
		{"space", `/mnt/my\040disk`, "/mnt/my disk", true},
		{"tab, newline, backslash", `a\011b\012c\134d`, "a\tb\nc\\d", true},
		{"highest byte", `\377`, "\xff", true},
		{"escape at the end", `x\040`, "x ", true},
		{"two in a row", `\040\040`, "  ", true},
		{"first digit over 3", `\400`, "", false},
		{"not octal", `\08a`, "", false},
		{"eight is not octal", `\018`, "", false},
		{"too short at the end", `x\04`, "", false},
		{"lone backslash", `\`, "", false},
		{"backslash then letter", `\n`, "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := unescape(c.in)
			if got != c.want || ok != c.ok {
				t.Errorf("got %q, %v, want %q, %v", got, ok, c.want, c.ok)
			}
		})
	}
}

func TestValidOptionalField(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"shared:12", true}, {"master:1", true}, {"propagate_from:3", true}, {"unbindable", true},
		{"future_tag9", true}, {"tag:", true},
		{"", false}, {":1", false}, {"Shared:1", false}, {"disk/x", false}, {"rw,relatime", false},
	} {
		t.Run(c.in, func(t *testing.T) {
			if got := validOptionalField(c.in); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// Each kind of malformed line is refused with an error that names the
// line and the field, so a parse failure in the log can be acted on.
func TestParse_errorsNameLineAndField(t *testing.T) {
	good := "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
	for _, c := range []struct {
		name, line, want string
	}{
		{"mount id", "x 0 8:1 / / rw - ext4 /dev/sda1 rw", `line 2: mount id "x": not a number`},
		{"parent id", "1 -1 8:1 / / rw - ext4 /dev/sda1 rw", `line 2: parent id "-1": not a number`},
		{"device without colon", "1 0 81 / / rw - ext4 /dev/sda1 rw", `line 2: device "81": want major:minor`},
		{"device minor", "1 0 8:x / / rw - ext4 /dev/sda1 rw", `line 2: device "8:x": want major:minor`},
		{"fields after the separator", "1 0 8:1 / / rw shared:1 - ext4 /dev/sda1", `line 2: got 2 fields after " - ", want 3`},
		{"empty mount point", "1 0 8:1 /  rw - ext4 /dev/sda1 rw", "line 2: empty mount point"},
		{"empty type", "1 0 8:1 / / rw -  /dev/sda1 rw", "line 2: empty type"},
		{"escape in type", `1 0 8:1 / / rw - ext\9 /dev/sda1 rw`, `line 2: type "ext\\9": invalid escape`},
		{"NUL in source", `1 0 8:1 / / rw - ext4 /dev/\000 rw`, "line 2: source \"/dev/\\\\000\" contains a NUL byte"},
		{"options not starting with rw or ro", "1 0 8:1 / / relatime,rw - ext4 /dev/sda1 rw", `line 2: mount options "relatime,rw": want rw or ro first`},
		{"empty line in the middle", "", "line 2: empty line"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(good + c.line + "\n" + good))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error containing %q", err, c.want)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "mountinfo: ") {
				t.Errorf("got %v, want it to start with mountinfo:", err)
			}
		})
	}
}

// Only the per-mount options decide ReadOnly: a filesystem mounted rw on
// a superblock that is ro elsewhere is writable here, and "ro" as part of
// another option name means nothing.
func TestParse_readOnlyFromPerMountOptions(t *testing.T) {
	for _, c := range []struct {
		name, line string
		want       bool
	}{
		{"ro", "1 0 8:1 / /m ro,relatime - ext4 /dev/a rw", true},
		{"rw on a ro superblock", "1 0 8:1 / /m rw,relatime - ext4 /dev/a ro", false},
		{"ro later in the list", "1 0 8:1 / /m rw,nosuid,ro - ext4 /dev/a rw", true},
		{"an option merely containing ro", "1 0 8:1 / /m rw,rootcontext=x - ext4 /dev/a rw", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			es, err := Parse([]byte(c.line))
			if err != nil || len(es) != 1 {
				t.Fatalf("got %v, %v, want one entry", es, err)
			}
			if es[0].ReadOnly != c.want {
				t.Errorf("got %v, want %v", es[0].ReadOnly, c.want)
			}
			if es[0].Resolved != "" {
				t.Errorf("got Resolved %q, want it left to the caller", es[0].Resolved)
			}
		})
	}
}
