package render

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
)

// hostile is a label a peer may announce to attack a terminal or a parser
// of the text output.
const hostile = "\x1b[2Jgone\n.err fake"

// noRaw fails when a line carries a control character or a line break:
// text answers must never pass one through.
func noRaw(t *testing.T, lines []string) {
	t.Helper()
	for _, l := range lines {
		if strings.ContainsFunc(l, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Errorf("got raw control character in %q, want it quoted", l)
		}
	}
}

func TestList_text(t *testing.T) {
	inv := &messages.Inventory{Disks: []messages.NodeDisk{
		{Node: "alpha", Local: true, Disk: messages.Disk{UUID: "u1", Label: "root", Device: "/dev/sda1", Type: "ext4",
			Mounts: []messages.Mount{{Path: "/"}, {Path: "/mnt/a b"}}}},
		{Node: "beta", Disk: messages.Disk{Label: hostile}},
	}}
	a := List(inv, false)
	want := []string{
		`NODE   UUID  LABEL                     DEVICE     TYPE  MOUNTED`,
		`alpha  u1    root                      /dev/sda1  ext4  /,"/mnt/a b"`,
		`beta   -     "\x1b[2Jgone\n.err fake"  -          -     -`,
	}
	if !slices.Equal(a.Lines, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(a.Lines, "\n"), strings.Join(want, "\n"))
	}
	if got, want := a.Status(), ".ok 2 disks"; got != want {
		t.Errorf("got %v, want %v", got, want)
	}
	noRaw(t, a.Lines)
}

func TestList_empty(t *testing.T) {
	for _, c := range []struct {
		name      string
		json      bool
		wantLines []string
	}{
		{"text shows the header only", false, []string{"NODE  UUID  LABEL  DEVICE  TYPE  MOUNTED"}},
		{"json is an empty array, not null", true, []string{"[]"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := List(&messages.Inventory{}, c.json)
			if !slices.Equal(a.Lines, c.wantLines) {
				t.Errorf("got %q, want %q", a.Lines, c.wantLines)
			}
			if got, want := a.Status(), ".ok 0 disks"; got != want {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// --json keeps the label exactly as the filesystem stores it: programs
// need the real value, and JSON escaping keeps it on one line.
func TestList_jsonKeepsExactValues(t *testing.T) {
	in := []messages.NodeDisk{{Node: "beta", Disk: messages.Disk{UUID: "u", Label: hostile}}}
	a := List(&messages.Inventory{Disks: in}, true)
	if len(a.Lines) != 1 {
		t.Fatalf("got %d lines, want 1", len(a.Lines))
	}
	var out []map[string]any
	if err := json.Unmarshal([]byte(a.Lines[0]), &out); err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0]["label"] != hostile || out[0]["node"] != "beta" {
		t.Errorf("got %v, want the exact label on node beta", out)
	}
	if m, ok := out[0]["mounts"].([]any); !ok || len(m) != 0 {
		t.Errorf("got mounts %v, want []", out[0]["mounts"])
	}
	noRaw(t, a.Lines)
}

func TestMounts(t *testing.T) {
	inv := &messages.Inventory{Disks: []messages.NodeDisk{
		{Node: "alpha", Disk: messages.Disk{Label: "data", Device: "/dev/sdb1",
			Mounts: []messages.Mount{{Path: "/srv", FSType: "xfs"}, {Path: "/ro", FSType: "xfs", ReadOnly: true}}}},
		{Node: "alpha", Disk: messages.Disk{Label: "unmounted"}},
		{Node: "beta", Disk: messages.Disk{Device: "/dev/x", Mounts: []messages.Mount{{Path: "/media/" + hostile}}}},
	}}
	t.Run("text: one row per mount, unmounted disks left out", func(t *testing.T) {
		a := Mounts(inv, false)
		want := []string{
			`NODE   LABEL  DEVICE     MOUNTED ON                       TYPE  MODE`,
			`alpha  data   /dev/sdb1  /srv                             xfs   rw`,
			`alpha  data   /dev/sdb1  /ro                              xfs   ro`,
			`beta   -      /dev/x     "/media/\x1b[2Jgone\n.err fake"  -     rw`,
		}
		if !slices.Equal(a.Lines, want) {
			t.Errorf("got\n%s\nwant\n%s", strings.Join(a.Lines, "\n"), strings.Join(want, "\n"))
		}
		if got, want := a.Message, "2 mounted disks"; got != want {
			t.Errorf("got %v, want %v", got, want)
		}
		noRaw(t, a.Lines)
	})
	t.Run("json lists the mounted disks only", func(t *testing.T) {
		a := Mounts(inv, true)
		var out []messages.NodeDisk
		if err := json.Unmarshal([]byte(a.Lines[0]), &out); err != nil {
			t.Fatal(err)
		}
		if len(out) != 2 || out[0].Label != "data" || len(out[0].Mounts) != 2 || !out[0].Mounts[1].ReadOnly {
			t.Errorf("got %+v, want the two mounted disks", out)
		}
	})
	t.Run("none mounted", func(t *testing.T) {
		a := Mounts(&messages.Inventory{Disks: inv.Disks[1:2]}, true)
		if got, want := string(a.Encode()), "[]\n.ok 0 mounted disks\n"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}

func TestWhere_summary(t *testing.T) {
	at := now.Add(-90 * time.Second)
	d := func(node string) messages.NodeDisk {
		return messages.NodeDisk{Node: node, Disk: messages.Disk{UUID: "u", Label: "x"}}
	}
	for _, c := range []struct {
		name     string
		r        messages.WhereResult
		wantCode string
		wantMsg  string
	}{
		{"one node", messages.WhereResult{Query: "x", Matches: []messages.NodeDisk{d("alpha")}}, "", "on alpha"},
		{"nodes in order, each once", messages.WhereResult{Query: "x",
			Matches: []messages.NodeDisk{d("beta"), d("alpha"), d("beta")}}, "", "on beta, alpha"},
		{"duplicate uuid is flagged", messages.WhereResult{Query: "u",
			Matches: []messages.NodeDisk{d("a"), d("b")}, Duplicates: []string{"u"}}, "", "on a, b (duplicate UUID)"},
		{"present wins over last seen", messages.WhereResult{Query: "x", Matches: []messages.NodeDisk{d("alpha")},
			LastSeen: []messages.Seen{{Node: "gamma", At: at}}}, "", "on alpha"},
		{"last seen only", messages.WhereResult{Query: "x", LastSeen: []messages.Seen{{Node: "gamma", At: at}, {Node: "delta", At: at}}},
			"", "last seen on gamma"},
		{"not found", messages.WhereResult{Query: "nope"}, "not-found", "no disk matches nope"},
		{"not found quotes a query with spaces", messages.WhereResult{Query: "backup 2"}, "not-found", `no disk matches "backup 2"`},
		{"not found of an empty query", messages.WhereResult{}, "not-found", "no disk matches -"},
	} {
		for _, js := range []bool{false, true} {
			t.Run(c.name, func(t *testing.T) {
				a := Where(&c.r, js, now)
				if a.Code != c.wantCode || a.Message != c.wantMsg {
					t.Errorf("json=%v: got %q %q, want %q %q", js, a.Code, a.Message, c.wantCode, c.wantMsg)
				}
			})
		}
	}
}

func TestWhere_textLines(t *testing.T) {
	r := &messages.WhereResult{Query: "x",
		LastSeen: []messages.Seen{{Node: "gamma", At: now.Add(-137 * time.Second),
			Disk: messages.Disk{Label: hostile, Device: "/dev/sdz1"}}},
		Duplicates: []string{"c0ffee00"}}
	a := Where(r, false, now)
	want := []string{
		`"\x1b[2Jgone\n.err fake" (uuid -, device /dev/sdz1): last seen on gamma, 2m17s ago (2026-11-25T06:22:39Z)`,
		"warning: UUID c0ffee00 is present on more than one node",
	}
	if !slices.Equal(a.Lines, want) {
		t.Errorf("got %q, want %q", a.Lines, want)
	}
	noRaw(t, a.Lines)
}

// --json of a query that matched nothing still carries the data (so a
// script sees the query and empty lists) before the .err status.
func TestWhere_jsonNotFoundHasData(t *testing.T) {
	a := Where(&messages.WhereResult{Query: "q"}, true, now)
	if len(a.Lines) != 1 {
		t.Fatalf("got %q, want one JSON line", a.Lines)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(a.Lines[0]), &m); err != nil {
		t.Fatal(err)
	}
	if m["query"] != "q" {
		t.Errorf("got query %v, want q", m["query"])
	}
	if !strings.HasSuffix(string(a.Encode()), "\n.err not-found no disk matches q\n") {
		t.Errorf("got %q, want a not-found status after the data", a.Encode())
	}
}
