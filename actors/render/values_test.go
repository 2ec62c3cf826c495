package render

import (
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
)

func TestDisplayValue(t *testing.T) {
	for in, want := range map[string]string{
		"": "-", "-": `"-"`, "root": "root", "backup 2": `"backup 2"`, `a"b`: `"a\"b"`, `a\b`: `"a\\b"`,
		"tab\t": `"tab\t"`, "\x1b[31m": `"\x1b[31m"`, "nb\u00a0sp": `"nb\u00a0sp"`, "été": "été", "del\x7f": `"del\x7f"`,
	} {
		if got := DisplayValue(in); got != want {
			t.Errorf("DisplayValue(%q): got %s, want %s", in, got, want)
		}
	}
}

func TestPluralAndCounts(t *testing.T) {
	if got := Plural(1, "disk") + "/" + Plural(0, "disk") + "/" + Plural(2, "peer"); got != "1 disk/0 disks/2 peers" {
		t.Errorf("Plural: got %q", got)
	}
	if got := FormatCounts(nil); got != "none" {
		t.Errorf("FormatCounts(nil): got %q, want none", got)
	}
	if got := FormatCounts(map[string]uint64{"b": 2, "a": 1}); got != "a=1 b=2" {
		t.Errorf("FormatCounts: got %q, want a=1 b=2", got)
	}
	if got := Ago(now, time.Time{}); got != "never" {
		t.Errorf("Ago(zero): got %q, want never", got)
	}
}

func TestEvent(t *testing.T) {
	at := time.Date(2026, 11, 25, 6, 24, 56, 601_000_000, time.UTC)
	tests := []struct {
		e        messages.Event
		json     bool
		want     string
		whatThis string
	}{
		{messages.Event{Time: at, Kind: "peer_left", Node: "beta", Detail: "said goodbye"}, false,
			"06:24:56.601 peer_left beta: said goodbye", "peer event"},
		{messages.Event{Time: at, Kind: "disk_added", Node: "alpha", Disk: &messages.Disk{Label: "usb stick"}, Detail: "/dev/sdf1"}, false,
			`06:24:56.601 disk_added alpha "usb stick" (-): /dev/sdf1`, "disk event"},
		{messages.Event{Time: at, Kind: "drop", Detail: "line\nbreak"}, false,
			`06:24:56.601 drop: line\nbreak`, "detail kept on one line"},
		{messages.Event{Time: at, Kind: "peer_up", Node: "beta"}, true,
			`{"time":"2026-11-25T06:24:56.601Z","kind":"peer_up","node":"beta"}`, "json"},
	}
	for _, tt := range tests {
		got, ok := Event(&tt.e, tt.json)
		if !ok || got != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.whatThis, got, ok, tt.want)
		}
	}
	if got := DebugEnd(1) + "/" + DebugEnd(10); got != "1 event/10 events" {
		t.Errorf("DebugEnd: got %q", got)
	}
}

// A message is shared once sent: rendering must not change it.
func TestStatus_doesNotModifyTheMessage(t *testing.T) {
	s := &messages.Status{Node: "alpha"}
	Status(s, true, now)
	if s.Drops != nil {
		t.Errorf("Status --json set Drops on the message: %v", s.Drops)
	}
}

func TestJSON_unencodable(t *testing.T) {
	a := JSON(func() {}, "x")
	if a.Code != "internal" || len(a.Lines) != 0 {
		t.Errorf("got %+v, want an internal error without data", a)
	}
}
