package render

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTable(t *testing.T) {
	for _, c := range []struct {
		name string
		rows [][]string
		want []string
	}{
		{"columns two spaces apart after the widest cell",
			[][]string{{"NODE", "STATE"}, {"alpha", "alive"}, {"b", "down"}},
			[]string{"NODE   STATE", "alpha  alive", "b      down"}},
		{"no trailing spaces when the last cell is empty",
			[][]string{{"key:", ""}, {"k:", "v"}},
			[]string{"key:", "k:    v"}},
		{"one column", [][]string{{"a"}, {"bbb"}}, []string{"a", "bbb"}},
		{"header only", [][]string{{"NODE", "UUID"}}, []string{"NODE  UUID"}},
		{"empty first key keeps the value aligned", [][]string{{"parts:", "x"}, {"", "y"}},
			[]string{"parts:  x", "        y"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Table(c.rows); !slices.Equal(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// Column widths count characters, not bytes: a label with accents must
// not push its neighbours out of line.
func TestTable_widthsCountRunes(t *testing.T) {
	got := Table([][]string{{"LABEL", "TYPE"}, {"été", "ext4"}, {"abc", "xfs"}})
	want := []string{"LABEL  TYPE", "été    ext4", "abc    xfs"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDisplayValue_cases(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
	}{
		{"empty shows a dash", "", "-"},
		{"a real dash is quoted to differ from empty", "-", `"-"`},
		{"two dashes are not ambiguous", "--", "--"},
		{"plain", "backup", "backup"},
		{"space", "a b", `"a b"`},
		{"leading space", " a", `" a"`},
		{"newline cannot break the table", "a\nb", `"a\nb"`},
		{"carriage return cannot overwrite the line", "ok\rEVIL", `"ok\rEVIL"`},
		{"escape sequence cannot draw on the terminal", "\x1b]0;title\x07", `"\x1b]0;title\a"`},
		{"NUL", "a\x00b", `"a\x00b"`},
		{"DEL", "\x7f", `"\x7f"`},
		{"no-break space looks like a space", "a\u00a0b", `"a\u00a0b"`},
		{"non-ASCII letters are shown as they are", "Fotos d'été", `"Fotos d'été"`},
		{"apostrophe alone is fine", "d'été", "d'été"},
		{"slashes in a device", "/dev/disk/by-label/x", "/dev/disk/by-label/x"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := DisplayValue(c.in); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// Whatever a peer puts in a label, the quoted form holds no control
// character: nothing reaches the terminal raw.
func TestDisplayValue_noControlCharactersOut(t *testing.T) {
	var in strings.Builder
	for r := rune(0); r < 0x20; r++ {
		in.WriteRune(r)
	}
	in.WriteString("\x7f\u0085\u2028")
	got := DisplayValue(in.String())
	for i, r := range got {
		if r < 0x20 || r == 0x7f || r == 0x85 || r == 0x2028 {
			t.Errorf("got control %U at %d in %q, want none", r, i, got)
		}
	}
}

func TestPlural_cases(t *testing.T) {
	for _, c := range []struct {
		n    int
		what string
		want string
	}{
		{0, "disk", "0 disks"}, {1, "disk", "1 disk"}, {2, "disk", "2 disks"},
		{1, "mounted disk", "1 mounted disk"}, {3, "mounted disk", "3 mounted disks"}, {-1, "peer", "-1 peers"},
	} {
		t.Run(c.want, func(t *testing.T) {
			if got := Plural(c.n, c.what); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestAgo_cases(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		t    time.Time
		want string
	}{
		{"never", time.Time{}, "never"},
		{"just now", base, "0s ago"},
		{"rounded to the second", base.Add(-1499 * time.Millisecond), "1s ago"},
		{"rounded up", base.Add(-1500 * time.Millisecond), "2s ago"},
		{"an hour", base.Add(-time.Hour - 2*time.Second), "1h0m2s ago"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Ago(base, c.t); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestFormatCounts_cases(t *testing.T) {
	for _, c := range []struct {
		name string
		m    map[string]uint64
		want string
	}{
		{"nil", nil, "none"},
		{"empty", map[string]uint64{}, "none"},
		{"zero counts are still shown", map[string]uint64{"busy": 0}, "busy=0"},
		{"sorted by key", map[string]uint64{"replay": 2, "malformed": 1, "auth": 7}, "auth=7 malformed=1 replay=2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := FormatCounts(c.m); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestHelp_textAndJSONAgree(t *testing.T) {
	text := Help(false)
	js := Help(true)
	if !text.OK() || !js.OK() {
		t.Fatalf("got codes %q, %q, want ok", text.Code, js.Code)
	}
	var lines []string
	if len(js.Lines) != 1 || json.Unmarshal([]byte(js.Lines[0]), &lines) != nil {
		t.Fatalf("got %q, want one JSON array of strings", js.Lines)
	}
	if !slices.Equal(lines, text.Lines) {
		t.Errorf("got %q, want %q", lines, text.Lines)
	}
}

func TestError(t *testing.T) {
	a := Error("busy", "too many sessions")
	if got, want := string(a.Encode()), ".err busy too many sessions\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if a.OK() || len(a.Lines) != 0 {
		t.Errorf("got %+v, want a failed answer without data", a)
	}
}
