package render

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
)

// row returns the value of the text status row with the given key.
func row(t *testing.T, lines []string, key string) string {
	t.Helper()
	for _, l := range lines {
		if strings.HasPrefix(l, key) {
			return strings.TrimSpace(strings.TrimPrefix(l, key))
		}
	}
	t.Fatalf("got no %q row in\n%s", key, strings.Join(lines, "\n"))
	return ""
}

func TestPeers_text(t *testing.T) {
	p := &messages.Peers{Peers: []messages.Peer{
		{Node: "beta", State: messages.PeerAlive, Addr: "127.0.0.1:1", LastSeen: now.Add(-2 * time.Second), Disks: 3, Version: "0.1.0", Instance: "i1"},
		{Node: "gamma", State: messages.PeerDown, Left: true, Addr: "127.0.0.1:2", Instance: "i2"},
		{Node: "zeta", State: messages.PeerSuspect, Conflict: true, LastSeen: now, Instance: "i3"},
		{Node: "old", State: messages.PeerDown, Left: true, Conflict: true, Instance: "i4"},
	}}
	a := Peers(p, false, now)
	for _, c := range []struct {
		node, want string
	}{
		{"beta", "beta   alive                 127.0.0.1:1  2s ago      3      0.1.0    i1"},
		{"gamma", "gamma  down (left)           127.0.0.1:2  never       0      -        i2"},
		{"zeta", "zeta   suspect CONFLICT                   0s ago      0      -        i3"},
		{"old", "old    down (left) CONFLICT               never       0      -        i4"},
	} {
		t.Run(c.node, func(t *testing.T) {
			i := slices.IndexFunc(a.Lines, func(l string) bool { return strings.HasPrefix(l, c.node+" ") })
			if i < 0 {
				t.Fatalf("got no row for %s in %q", c.node, a.Lines)
			}
			if got := a.Lines[i]; got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
	if got, want := a.Lines[0], "NODE   STATE                 ADDRESS      LAST HEARD  DISKS  VERSION  INSTANCE"; got != want {
		t.Errorf("header: got %q, want %q", got, want)
	}
	if got, want := a.Message, "4 peers"; got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestPeers_json(t *testing.T) {
	p := &messages.Peers{Peers: []messages.Peer{{Node: "beta", State: "alive", Addr: "127.0.0.1:1", Seq: 9}}}
	a := Peers(p, true, now)
	var out []map[string]any
	if err := json.Unmarshal([]byte(a.Lines[0]), &out); err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0]["node"] != "beta" || out[0]["address"] != "127.0.0.1:1" || out[0]["seq"] != 9.0 {
		t.Errorf("got %v, want beta at 127.0.0.1:1 seq 9", out)
	}
	if got, want := a.Message, "1 peer"; got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestLocalhost_text(t *testing.T) {
	for _, c := range []struct {
		name  string
		iface string
		want  string
	}{
		{"system default interface", "", "230.1.2.3:32003 on (system default)"},
		{"named interface", "eth1", "230.1.2.3:32003 on eth1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := &messages.Localhost{Node: "alpha", Protocol: 2, Addresses: []string{"127.0.0.1", "::1"}, Group: "230.1.2.3:32003", Interface: c.iface}
			a := Localhost(l, false)
			if got := row(t, a.Lines, "multicast:"); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
			i := slices.IndexFunc(a.Lines, func(l string) bool { return strings.HasPrefix(l, "addresses:") })
			if i < 0 || i+2 >= len(a.Lines) || a.Lines[i] != "addresses:  127.0.0.1" || a.Lines[i+1] != "            ::1" ||
				!strings.HasPrefix(a.Lines[i+2], "socket:") {
				t.Errorf("got %q, want one address a line, aligned under the first", a.Lines)
			}
			if got, want := row(t, a.Lines, "protocol:"), "2"; got != want {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestStatus_textRows(t *testing.T) {
	at := now.Add(-time.Minute)
	for _, c := range []struct {
		name string
		s    messages.Status
		key  string
		want string
	}{
		{"blkid not run", messages.Status{}, "blkid:", "not run yet"},
		{"blkid ok", messages.Status{Blkid: &messages.ScanReport{RunID: 3, Started: at, Duration: 1234567 * time.Microsecond, Outcome: "ok", Disks: 1}},
			"blkid:", "run 3 at 2026-11-25T06:23:56Z took 1.235s: ok, 1 disk"},
		{"blkid failed, error on one line", messages.Status{Blkid: &messages.ScanReport{RunID: 4, Started: at, Outcome: "exit", Error: "exit 2\nstderr"}},
			"blkid:", `run 4 at 2026-11-25T06:23:56Z took 0s: exit: exit 2\nstderr`},
		{"warning", messages.Status{Warnings: []string{"no auth keys\nconfigured"}}, "warning:", `no auth keys\nconfigured`},
		{"no drops", messages.Status{}, "drops:", "none"},
		{"drops sorted", messages.Status{Drops: map[string]uint64{"z": 1, "a": 2}}, "drops:", "a=2 z=1"},
		{"peer states", messages.Status{Local: 2, Peers: 1, States: map[string]int{messages.PeerAlive: 1}},
			"disks:", "2 local; 1 peer: 1 alive, 0 suspect, 0 down"},
		{"mounts error on one line", messages.Status{Mounts: "bad\nline"}, "mounts:", `cannot read the mount table: bad\nline`},
		{"duplicates", messages.Status{Duplicates: []string{"u1", "u2"}}, "duplicates:", "UUIDs on more than one node: u1 u2"},
		{"announce refused", messages.Status{Announce: messages.AnnounceStatus{Error: "too big", Last: at}}, "announce:", "REFUSED: too big"},
		{"announce done", messages.Status{Announce: messages.AnnounceStatus{Gen: 2, Disks: 1, Chunks: 2, Seq: 7, Last: at}},
			"announce:", "generation 2: 1 disk in 2 chunks, last at 2026-11-25T06:23:56Z (seq 7)"},
		{"no part failed", messages.Status{}, "parts:", "no failures"},
		{"back-off over is not shown", messages.Status{Parts: map[string]messages.PartHealth{
			"info": {Restarts: 1, LastFailure: "boom", BackoffTill: now}}}, "parts:", "info restarted 1× (last: boom)"},
		{"back-off running", messages.Status{Parts: map[string]messages.PartHealth{
			"info": {Restarts: 2, LastFailure: "boom", BackoffTill: now.Add(time.Second)}}},
			"parts:", "info restarted 2× (last: boom) backing off until 2026-11-25T06:24:57Z"},
		{"link", messages.Status{Network: messages.NetStats{Link: &messages.LinkStatus{Interface: "lo", Up: true, Watch: "poll", FixErrors: 1, FixError: "a\nb"}}},
			"link:", `lo up (poll); 0 rejoins, 0 rebinds; 1 failed fixes, last: a\nb`},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := Status(&c.s, false, now)
			if got := row(t, a.Lines, c.key); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
			noRaw(t, a.Lines)
		})
	}
}

// Rows that only report trouble are absent when there is none, so a
// healthy status stays short.
func TestStatus_troubleRowsAbsentWhenHealthy(t *testing.T) {
	a := Status(&messages.Status{}, false, now)
	for _, key := range []string{"link:", "duplicates:", "mounts:", "announce:", "warning:"} {
		for _, l := range a.Lines {
			if strings.HasPrefix(l, key) {
				t.Errorf("got %q, want no %s row", l, key)
			}
		}
	}
}

// Failed parts are listed sorted, the key only on the first line.
func TestStatus_partsSortedUnderOneKey(t *testing.T) {
	s := &messages.Status{Parts: map[string]messages.PartHealth{
		"multicast": {Restarts: 1, LastFailure: "m"}, "disks": {Restarts: 2, LastFailure: "d"}, "info": {Restarts: 3, LastFailure: "i"}}}
	a := Status(s, false, now)
	i := slices.IndexFunc(a.Lines, func(l string) bool { return strings.HasPrefix(l, "parts:") })
	if i < 0 || i+3 > len(a.Lines) {
		t.Fatalf("got %q, want three parts rows", a.Lines)
	}
	var got []string
	for _, l := range a.Lines[i : i+3] {
		got = append(got, strings.TrimSpace(strings.TrimPrefix(l, "parts:")))
	}
	want := []string{"disks restarted 2× (last: d)", "info restarted 3× (last: i)", "multicast restarted 1× (last: m)"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if strings.HasPrefix(a.Lines[i+1], "parts:") {
		t.Errorf("got %q, want the key only on the first line", a.Lines[i+1])
	}
}

func TestStatus_jsonDropsAlwaysAnObject(t *testing.T) {
	for _, c := range []struct {
		name  string
		drops map[string]uint64
		want  string
	}{
		{"nil drops become {}", nil, "{}"},
		{"counts kept", map[string]uint64{"replay": 2}, `{"replay":2}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := Status(&messages.Status{Node: "alpha", Drops: c.drops}, true, now)
			var m map[string]json.RawMessage
			if err := json.Unmarshal([]byte(a.Lines[0]), &m); err != nil {
				t.Fatal(err)
			}
			if got := string(m["drops"]); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
			if got := string(m["node"]); got != `"alpha"` {
				t.Errorf("got node %v, want alpha", got)
			}
		})
	}
}

func TestRescan(t *testing.T) {
	ok := messages.ScanReport{Outcome: "ok", Disks: 1}
	bad := messages.ScanReport{Outcome: "not_found", Error: "exec: blkid: not found"}
	for _, c := range []struct {
		name string
		r    messages.RescanDone
		json bool
		want string
	}{
		{"unchanged", messages.RescanDone{Report: ok}, false, "rescanned: 1 disk, unchanged\n.ok\n"},
		{"changed", messages.RescanDone{Report: ok, Changed: true}, false, "rescanned: 1 disk, changed, announced\n.ok\n"},
		{"failed keeps the last list", messages.RescanDone{Report: bad}, false,
			".err blkid not_found: exec: blkid: not found (the last good disk list is kept)\n"},
		{"failed with no list before", messages.RescanDone{Report: bad, NoListYet: true}, false,
			".err blkid not_found: exec: blkid: not found (no local disk list yet: no blkid run has succeeded since the daemon started)\n"},
		{"json ok", messages.RescanDone{Report: ok, Changed: true}, true,
			`{"report":{"run_id":0,"started":"0001-01-01T00:00:00Z","duration_ns":0,"outcome":"ok","disks":1},"changed":true}` + "\n.ok\n"},
		{"json failed: data then error", messages.RescanDone{Report: bad}, true,
			`{"report":{"run_id":0,"started":"0001-01-01T00:00:00Z","duration_ns":0,"outcome":"not_found","error":"exec: blkid: not found","disks":0},"changed":false}` +
				"\n.err blkid exec: blkid: not found\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := string(Rescan(&c.r, c.json).Encode()); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestEvent_hostileDiskLabel(t *testing.T) {
	e := &messages.Event{Time: now, Kind: messages.EventDiskAdded, Node: "beta", Disk: &messages.Disk{UUID: "u", Label: hostile}, Detail: "x\ry"}
	got, ok := Event(e, false)
	want := `06:24:56.000 disk_added beta "\x1b[2Jgone\n.err fake" (u): x\ry`
	if !ok || got != want {
		t.Errorf("got %q, %v, want %q", got, ok, want)
	}
	js, ok := Event(e, true)
	if !ok || strings.ContainsAny(js, "\n\r\x1b") {
		t.Errorf("got %q, %v, want one escaped JSON line", js, ok)
	}
	var back messages.Event
	if err := json.Unmarshal([]byte(js), &back); err != nil || back.Disk == nil || back.Disk.Label != hostile {
		t.Errorf("got %+v, %v, want the exact label back", back, err)
	}
}

// Without addresses the row says so rather than staying empty.
func TestLocalhost_noAddresses(t *testing.T) {
	a := Localhost(&messages.Localhost{Node: "alpha", Addresses: []string{}}, false)
	if got := row(t, a.Lines, "addresses:"); got != "none" {
		t.Errorf("got %q, want none", got)
	}
}

// Byte counts in status are for people; --json keeps the exact numbers.
func TestStatus_bytesForPeople(t *testing.T) {
	s := &messages.Status{Node: "alpha", Network: messages.NetStats{DatagramsIn: 3, BytesIn: 3 << 29, DatagramsOut: 1, BytesOut: 1536},
		Limits: messages.Limits{MaxDisks: 10, Bytes: 12 << 10, MaxBytes: 64 << 20}}
	a := Status(s, false, now)
	for key, want := range map[string]string{"datagrams in:": "3 (1.5 GiB; 0 our own)", "datagrams out:": "1 (1.5 KiB; 0 send errors)"} {
		if got := row(t, a.Lines, key); got != want {
			t.Errorf("%s got %q, want %q", key, got, want)
		}
	}
	if got := row(t, a.Lines, "limits:"); !strings.Contains(got, "12 KiB of 64 MiB held") {
		t.Errorf("limits: got %q, want 12 KiB of 64 MiB held", got)
	}
	js := Status(s, true, now)
	if !strings.Contains(js.Lines[0], `"bytes_in":1610612736`) || !strings.Contains(js.Lines[0], `"bytes":12288`) {
		t.Errorf("--json: got %s, want the exact byte counts", js.Lines[0])
	}
}
