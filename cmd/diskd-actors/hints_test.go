package main

import (
	"strings"
	"testing"

	"github.com/diskd-actors/diskd-actors/messages"
)

func TestListHint(t *testing.T) {
	for _, c := range []struct {
		name   string
		st     messages.Status
		uid    int
		has    []string
		hasNot string
	}{
		{"not run yet", messages.Status{Peers: 1}, 0, []string{"has not run blkid yet"}, "heard"},
		{"blkid missing", messages.Status{Peers: 1, Blkid: &messages.ScanReport{Outcome: "not_found", Error: "exec: blkid: not found"}}, 0,
			[]string{"cannot run blkid (exec: blkid: not found)", "blkid.command"}, "heard"},
		{"refused", messages.Status{Peers: 1, Blkid: &messages.ScanReport{Outcome: "permission", Error: "denied"}}, 0, []string{"sudo"}, ""},
		{"timeout", messages.Status{Peers: 1, Blkid: &messages.ScanReport{Outcome: "timeout", Error: "after 15s"}}, 0, []string{"timeout: after 15s"}, ""},
		{"nothing, not root", messages.Status{Blkid: &messages.ScanReport{Outcome: "ok"}}, 1000,
			[]string{"found no disks", "sudo", "no other daemon has been heard", `"diskd-actors status"`}, ""},
		{"nothing, as root", messages.Status{Peers: 2, Blkid: &messages.ScanReport{Outcome: "ok"}}, 0, []string{"found no disks on the daemon's host"}, "sudo"},
	} {
		got := listHint(c.st, c.uid)
		for _, h := range c.has {
			if !strings.Contains(got, h) {
				t.Errorf("%s: got %q, want it to contain %q", c.name, got, h)
			}
		}
		if c.hasNot != "" && strings.Contains(got, c.hasNot) {
			t.Errorf("%s: got %q, want no %q", c.name, got, c.hasNot)
		}
	}
	if got := listHint(messages.Status{Peers: 1, Blkid: &messages.ScanReport{Outcome: "ok", Disks: 2}}, 0); got != "" {
		t.Errorf("local disks and a peer: got %q, want no hint", got)
	}
}

func TestIsList(t *testing.T) {
	for line, want := range map[string]bool{"list": true, "LIST": true, "list --json": false, "where x": false, `"`: false} {
		if got := isList(line); got != want {
			t.Errorf("isList(%q) = %v, want %v", line, got, want)
		}
	}
}
