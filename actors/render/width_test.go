package render

import (
	"slices"
	"strings"
	"testing"

	"github.com/diskd-actors/diskd-actors/messages"
)

func TestWidth_cases(t *testing.T) {
	for _, c := range []struct {
		name string
		in   string
		want int
	}{
		{"ASCII", "backup", 6},
		{"CJK takes two cells each", "写真2026", 8},
		{"precomposed accent", "été", 3},
		{"combining accent takes none", "e\u0301te\u0301", 3},
		{"emoji takes two", "\U0001F4F7 cam", 6},
		{"flag is one glyph of two cells", "\U0001F1EB\U0001F1F7", 2},
		{"zero-width joiner sequence is one glyph", "\U0001F469\u200d\U0001F4BB", 2},
		{"ambiguous counts one", "±½", 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Width(c.in); got != c.want {
				t.Errorf("Width(%q): got %d, want %d", c.in, got, c.want)
			}
		})
	}
}

// Wide and combining characters do not move the next column: every row's
// DEVICE starts at the same display column.
func TestTable_displayWidth(t *testing.T) {
	got := Table([][]string{{"LABEL", "DEVICE", "TYPE"}, {"写真2026", "/dev/sdb1", "ext4"}, {"e\u0301te\u0301", "/dev/sdc1", "xfs"},
		{"\U0001F4F7", "/dev/sdd1", "vfat"}, {"backup", "/dev/sde1", "ext4"}})
	want := []string{
		"LABEL     DEVICE     TYPE",
		"写真2026  /dev/sdb1  ext4",
		"e\u0301te\u0301       /dev/sdc1  xfs",
		"\U0001F4F7        /dev/sdd1  vfat",
		"backup    /dev/sde1  ext4",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, l := range got[1:] {
		i := strings.Index(l, "/dev/")
		if w := Width(l[:i]); w != 10 {
			t.Errorf("%q: DEVICE at column %d, want 10", l, w)
		}
	}
}

// A cell that did not go through DisplayValue (an error text, say) still
// cannot split the table with a tab or reach the terminal with a control.
func TestTable_cleansCells(t *testing.T) {
	got := Table([][]string{{"a:", "x\ty"}, {"bb:", "\x1b[2J\u009b2J\u202e\xff"}})
	want := []string{`a:   x\ty`, `bb:  \x1b[2J\u009b2J\u202e\xff`}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDisplayValue_unsafeRunes(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
	}{
		{"C1 CSI draws like ESC [", "a\u009b2J", `"a\u009b2J"`},
		{"bidi override reorders the row", "abc\u202edef", `"abc\u202edef"`},
		{"zero-width space hides text", "a\u200bb", `"a\u200bb"`},
		{"invalid UTF-8", "a\xffb", `"a\xffb"`},
		{"a leading combining mark would join the gap", "\u0301x", "\"\u0301x\""},
		{"wide characters are shown as they are", "写真2026", "写真2026"},
		{"inner combining marks are fine", "e\u0301te\u0301", "e\u0301te\u0301"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := DisplayValue(c.in); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// wideDisks are labels of other scripts for the golden tables.
var wideDisks = []messages.NodeDisk{
	{Node: "alpha", Local: true, Disk: messages.Disk{UUID: "1111", Label: "写真2026", Device: "/dev/sdb1", Type: "ext4",
		Mounts: []messages.Mount{{Path: "/media/写真", FSType: "ext4"}}}},
	{Node: "alpha", Local: true, Disk: messages.Disk{UUID: "2222", Label: "e\u0301te\u0301", Device: "/dev/sdc1", Type: "xfs",
		Mounts: []messages.Mount{{Path: "/srv/e\u0301te\u0301", FSType: "xfs", ReadOnly: true}}}},
	{Node: "beta", Disk: messages.Disk{UUID: "3333", Label: "\U0001F4F7cam", Device: "/dev/sdd1", Type: "vfat"}},
	{Node: "beta", Disk: messages.Disk{UUID: "4444", Label: "tab\there", Device: "/dev/sde1", Type: "ext4"}},
}
