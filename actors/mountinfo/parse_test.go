package mountinfo

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/diskd-actors/diskd-actors/actors/internal/golden"
	"github.com/diskd-actors/diskd-actors/messages"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from what Parse returns")

func TestParse(t *testing.T) {
	for _, in := range golden.Cases(t, "testdata") {
		t.Run(golden.Name(in), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			entries, err := Parse(data)
			golden.Check(t, in, entries, err, slices.Equal, *update, "go test ./actors/mountinfo -run TestParse -update")
		})
	}
}

// printLine prints e as the kernel does, with every byte that could
// split a field escaped.
func printLine(id int, e messages.MountEntry) string {
	esc := func(s string) string {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			if c := s[i]; c <= ' ' || c == '\\' {
				fmt.Fprintf(&b, "\\%03o", c)
			} else {
				b.WriteByte(c)
			}
		}
		return b.String()
	}
	opts := "rw,relatime"
	if e.ReadOnly {
		opts = "ro,relatime"
	}
	return fmt.Sprintf("%d 1 8:%d / %s %s shared:%d - %s %s rw\n", id, id, esc(e.Path), opts, id, esc(e.FSType), esc(e.Source))
}

func TestParse_RoundTrip(t *testing.T) {
	want := []messages.MountEntry{
		{Source: "/dev/sda1", Path: "/", FSType: "ext4"},
		{Source: `a b	c` + "\n" + `d\e`, Path: "/mnt/ \t\n\\ \x01\x7f\xff", FSType: "fuse.x y", ReadOnly: true},
		{Source: "", Path: "/mnt/empty source", FSType: "tmpfs"},
		{Source: "💾", Path: "/" + strings.Repeat("é", maxValue/2-1), FSType: "vfat"},
	}
	var b strings.Builder
	for i, e := range want {
		b.WriteString(printLine(i+1, e))
	}
	got, err := Parse([]byte(b.String()))
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("got %+v, %v, want %+v", got, err, want)
	}
}

func TestParse_Limits(t *testing.T) {
	line := "26 1 254:0 / / rw - ext4 /dev/vda rw\n"
	long := func(n int) string { return "/" + strings.Repeat("x", n-1) }
	for _, tc := range []struct {
		name, in, err string
		entries       int
	}{
		{"max lines", strings.Repeat(line, maxLines), "", maxLines},
		{"too many lines", strings.Repeat(line, maxLines+1), "more than 100000 lines", 0},
		{"too large", line + strings.Repeat("x", maxBytes), "larger than", 0},
		{"longest path", "1 1 0:1 / " + long(maxValue) + " rw - ext4 s rw", "", 1},
		{"path too long", "1 1 0:1 / " + long(maxValue+1) + " rw - ext4 s rw", "line 1: mount point is longer", 0},
		{"escaped path too long", "1 1 0:1 / /" + strings.Repeat(`\040`, maxValue) + " rw - ext4 s rw", "line 1: mount point is longer", 0},
		{"source too long", "1 1 0:1 / / rw - ext4 " + long(maxValue+1) + " rw", "line 1: source is longer", 0},
		{"too many fields", "1 1 0:1 / / rw" + strings.Repeat(" shared:1", 80) + " - ext4 s rw", "more than 64 fields", 0},
		{"error names the line", line + line + "x\n", "line 3:", 0},
		{"only a newline", "\n", "", 0},
		{"truncated escape", `1 1 0:1 / /a\04 rw - ext4 s rw`, "invalid escape", 0},
		{"escape above 255", `1 1 0:1 / /a\400 rw - ext4 s rw`, "invalid escape", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse([]byte(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || got != nil {
					t.Fatalf("got %d entries, %v, want no entries and an error containing %q", len(got), err, tc.err)
				}
				return
			}
			if err != nil || len(got) != tc.entries {
				t.Fatalf("got %d entries, %v, want %d and no error", len(got), err, tc.entries)
			}
		})
	}
}

// FuzzParse checks that no input panics and that what is accepted
// keeps the limits and prints back to the same entries. Seeds: the
// testdata cases and testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, in := range golden.Cases(f, "testdata") {
		data, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := Parse(data)
		if err != nil {
			if entries != nil {
				t.Fatalf("got %d entries with error %v, want none", len(entries), err)
			}
			return
		}
		if len(entries) > maxLines {
			t.Fatalf("got %d entries, want at most %d", len(entries), maxLines)
		}
		var b strings.Builder
		for i, e := range entries {
			for _, v := range []string{e.Source, e.Path, e.FSType} {
				if len(v) > maxValue || strings.IndexByte(v, 0) >= 0 {
					t.Fatalf("got field %q of %+v, want at most %d bytes and no NUL", v, e, maxValue)
				}
			}
			if e.Path == "" || e.FSType == "" || e.Resolved != "" {
				t.Fatalf("got %+v, want a path, a type and no Resolved", e)
			}
			b.WriteString(printLine(i+1, e))
		}
		again, err := Parse([]byte(b.String()))
		if err != nil || !slices.Equal(again, entries) {
			t.Fatalf("printed back and parsed: got %+v, %v, want %+v", again, err, entries)
		}
	})
}
