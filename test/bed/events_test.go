package bed

import (
	"os"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
)

// parseEvent on the forms TestParseEvent leaves out: odd labels, nodes
// with colons (IPv6 addresses), details that look like disks, and lines
// that are not events.
func TestParseEvent_more(t *testing.T) {
	type disk struct{ label, uuid string }
	cases := []struct {
		name, line         string
		kind, node, detail string
		disk               *disk
		wantErr            bool
	}{
		{name: "kind alone", line: "09:30:00.000 rescan", kind: "rescan"},
		{name: "kind with an empty detail", line: "09:30:00.000 drop: ", kind: "drop"},
		{name: "ipv6 node with detail", line: "09:30:00.000 peer_down fe80::1: silent for 3s", kind: "peer_down", node: "fe80::1", detail: "silent for 3s"},
		{name: "ipv6 node alone", line: "09:30:00.000 peer_up fe80::1", kind: "peer_up", node: "fe80::1"},
		{name: "ipv6 node with a disk", line: "09:30:00.000 disk_added fe80::1 data (u-1)", kind: "disk_added", node: "fe80::1", disk: &disk{"data", "u-1"}},
		{name: "quoted label with parentheses", line: `09:30:00.000 disk_added n1 "a (b) c" (u-2)`, kind: "disk_added", node: "n1", disk: &disk{"a (b) c", "u-2"}},
		{name: "quoted label with an escaped quote", line: `09:30:00.000 disk_added n1 "say \"hi\"" (u-3)`, kind: "disk_added", node: "n1", disk: &disk{`say "hi"`, "u-3"}},
		{name: "label with a colon", line: "09:30:00.000 disk_mounted n1 a:b (u-4): /mnt/a b", kind: "disk_mounted", node: "n1", disk: &disk{"a:b", "u-4"}, detail: "/mnt/a b"},
		{name: "no label, a uuid", line: "09:30:00.000 disk_removed n1 - (u-5)", kind: "disk_removed", node: "n1", disk: &disk{"", "u-5"}},
		{name: "a label, no uuid", line: "09:30:00.000 disk_removed n1 lbl (-)", kind: "disk_removed", node: "n1", disk: &disk{"lbl", ""}},
		{name: "detail that is no disk", line: "09:30:00.000 peer_conflict n1 two instances", kind: "peer_conflict", node: "n1", detail: "two instances"},
		{name: "status line", line: ".err closed", wantErr: true},
		{name: "no clock", line: "peer_up n1", wantErr: true},
		{name: "clock without milliseconds", line: "09:30:00 peer_up n1", wantErr: true},
		{name: "clock alone", line: "09:30:00.000", wantErr: true},
		{name: "empty", line: "", wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev, err := parseEvent(c.line)
			if c.wantErr {
				if err == nil {
					t.Errorf("parseEvent(%q): got %+v, want an error", c.line, ev)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseEvent(%q): %v", c.line, err)
			}
			if ev.Kind != c.kind || ev.Node != c.node || ev.Detail != c.detail {
				t.Errorf("parseEvent(%q): got kind %q node %q detail %q, want %q %q %q", c.line, ev.Kind, ev.Node, ev.Detail, c.kind, c.node, c.detail)
			}
			switch {
			case c.disk == nil && ev.Disk != nil:
				t.Errorf("parseEvent(%q): got disk %+v, want none", c.line, ev.Disk)
			case c.disk != nil && ev.Disk == nil:
				t.Errorf("parseEvent(%q): got no disk, want %+v", c.line, *c.disk)
			case c.disk != nil && (ev.Disk.Label != c.disk.label || ev.Disk.UUID != c.disk.uuid):
				t.Errorf("parseEvent(%q): got disk label %q uuid %q, want %q %q", c.line, ev.Disk.Label, ev.Disk.UUID, c.disk.label, c.disk.uuid)
			}
		})
	}
}

// The time of an event is its time of day on today's date, local time.
func TestParseEvent_time(t *testing.T) {
	ev, err := parseEvent("23:59:58.007 peer_up n1")
	if err != nil {
		t.Fatal(err)
	}
	y, m, d := time.Now().Date()
	want := time.Date(y, m, d, 23, 59, 58, 7e6, time.Local)
	if !ev.Time.Equal(want) || ev.Time.Location() != time.Local {
		t.Errorf("time: got %v, want %v", ev.Time, want)
	}
}

func TestEvents_AboutAndKinds(t *testing.T) {
	e := &Events{Seen: []messages.Event{
		{Kind: "peer_up", Node: "a"},
		{Kind: "peer_up", Node: "b"},
		{Kind: "drop"},
		{Kind: "disk_added", Node: "a"},
	}}
	cases := []struct {
		node string
		want []string
	}{
		{"a", []string{"peer_up", "disk_added"}},
		{"b", []string{"peer_up"}},
		{"", []string{"drop"}},
		{"c", nil},
	}
	for _, c := range cases {
		t.Run(c.node, func(t *testing.T) {
			got := e.About(c.node)
			if len(got) != len(c.want) {
				t.Fatalf("About(%q): got %+v, want kinds %q", c.node, got, c.want)
			}
			for i, ev := range got {
				if ev.Kind != c.want[i] || ev.Node != c.node {
					t.Errorf("About(%q)[%d]: got %+v, want kind %q node %q", c.node, i, ev, c.want[i], c.node)
				}
			}
		})
	}
	if got, want := kinds(e.Seen), "[peer_up a, peer_up b, drop , disk_added a]"; got != want {
		t.Errorf("kinds: got %q, want %q", got, want)
	}
	if got := kinds(nil); got != "[]" {
		t.Errorf("kinds(nil): got %q, want %q", got, "[]")
	}
}

// ReadProcStat and SchedStat read this test process: its own CPU time
// and memory are there, and a process that does not exist is an error.
func TestReadProcStat_self(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skipf("no /proc: %v", err)
	}
	s, err := ReadProcStat(os.Getpid())
	if err != nil {
		t.Fatalf("ReadProcStat(self): %v", err)
	}
	if s.CPU < 0 || s.ChildCPU < 0 || s.CPU%clockTick != 0 || s.ChildCPU%clockTick != 0 {
		t.Errorf("CPU, ChildCPU: got %v, %v, want non-negative multiples of %v", s.CPU, s.ChildCPU, clockTick)
	}
	if s.RSS <= 0 || s.HWM < s.RSS || s.RSS%1024 != 0 {
		t.Errorf("RSS, HWM: got %d, %d, want 0 < RSS <= HWM, in whole KiB", s.RSS, s.HWM)
	}
	if s.At.IsZero() {
		t.Errorf("At: got the zero time, want the sample's time")
	}
	run, wait, err := SchedStat(os.Getpid())
	if err != nil || run <= 0 || wait < 0 {
		t.Errorf("SchedStat(self): got run %v wait %v %v, want run > 0, wait >= 0", run, wait, err)
	}
	const gone = 1 << 30 // above pid_max: never a process
	if _, err := ReadProcStat(gone); err == nil {
		t.Errorf("ReadProcStat(%d): got no error, want one", gone)
	}
	if _, _, err := SchedStat(gone); err == nil {
		t.Errorf("SchedStat(%d): got no error, want one", gone)
	}
}

// A host whose daemon is not running has no process to sample.
func TestHost_ProcStatStopped(t *testing.T) {
	h := &Host{Name: "h07"}
	if _, err := h.ProcStat(); err == nil || err.Error() != "h07: the daemon is not running" {
		t.Errorf("ProcStat: got %v, want %q", err, "h07: the daemon is not running")
	}
}
