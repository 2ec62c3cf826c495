package render

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the renderers' output")

// now is the daemon's clock in every case.
var now = time.Date(2026, 11, 25, 6, 24, 56, 0, time.UTC)

var disks = []messages.NodeDisk{
	{Node: "alpha", Local: true, Disk: messages.Disk{UUID: "3f1c2a9e-5b7d-4e21-9c0a-1d2e3f405162", Device: "/dev/sda1", Type: "ext4",
		Mounts: []messages.Mount{{Path: "/", FSType: "ext4"}}}},
	{Node: "alpha", Local: true, Disk: messages.Disk{UUID: "8a7b6c5d-0001-4e2f-8a9b-0c1d2e3f4a5b", Label: "backup 2", Device: "/dev/sdb1", Type: "xfs",
		Mounts: []messages.Mount{{Path: "/srv/backup", FSType: "xfs"}, {Path: "/media/PHOTOS card", FSType: "xfs", ReadOnly: true}}}},
	{Node: "beta", Disk: messages.Disk{UUID: "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f70819", Label: "Fotos d'été", Device: "/dev/sdd1", Type: "ext4"}},
	{Node: "beta", Disk: messages.Disk{Label: "-", Device: "/dev/sde1", Type: "ext2"}},
	{Node: "beta", Disk: messages.Disk{UUID: "evil", Label: "\x1b[2Jgone\n", Device: "/dev/sdf1", Type: "vfat"}},
}

func cases() map[string]*lineproto.Answer {
	inv := &messages.Inventory{Disks: disks}
	seen := messages.Seen{Node: "gamma", At: now.Add(-137 * time.Second), Disk: messages.Disk{UUID: "c0ffee00", Label: "old", Device: "/dev/sdz1"}}
	peers := &messages.Peers{Peers: []messages.Peer{
		{Node: "beta", State: messages.PeerAlive, Instance: "a3ca580c4baed0e7", Addr: "127.0.0.1:53237", Version: "0.1.0", LastSeen: now.Add(-1200 * time.Millisecond), Disks: 3},
		{Node: "gamma", State: messages.PeerDown, Left: true, Instance: "00000000000000cc", Addr: "127.0.0.1:4000", LastSeen: now.Add(-time.Hour)},
		{Node: "zeta", State: messages.PeerSuspect, Conflict: true, Instance: "00000000000000dd", Addr: "127.0.0.1:4001"},
	}}
	report := messages.ScanReport{RunID: 7, Started: now.Add(-time.Minute), Duration: 12345678 * time.Nanosecond, Outcome: "ok", Disks: 2}
	failed := messages.ScanReport{RunID: 8, Started: now, Duration: time.Second, Outcome: "timeout", Error: "blkid took longer than 1s\nkilled"}
	status := &messages.Status{Node: "alpha", Instance: "00000000000000aa", Version: "0.1.0", Uptime: "1h0m0s", Local: 2, Peers: 3,
		States:     map[string]int{messages.PeerAlive: 1, messages.PeerSuspect: 1, messages.PeerDown: 1},
		Duplicates: []string{"c0ffee00"}, Mounts: "open /proc/self/mountinfo: no such file",
		Network: messages.NetStats{DatagramsIn: 10, BytesIn: 1000, DatagramsOut: 5, BytesOut: 500, OwnIn: 5, SendErrors: 1},
		Drops:   map[string]uint64{"replay": 2, "malformed": 1}, Blkid: &report,
		Announce: messages.AnnounceStatus{Seq: 42, Gen: 3, Chunks: 1, Disks: 2, Last: now.Add(-time.Second)},
		Parts: map[string]messages.PartHealth{
			"multicast": {Restarts: 4, LastFailure: "crash requested by a test hook", BackoffTill: now.Add(5 * time.Second)},
			"info":      {Restarts: 1, LastFailure: "boom", BackoffTill: now.Add(-5 * time.Second)},
		}}
	idle := &messages.Status{Node: "alpha", Instance: "00000000000000aa", Version: "0.1.0", Uptime: "1s",
		Announce: messages.AnnounceStatus{Error: "a disk does not fit in one chunk"}}
	busy := &messages.Status{Node: "alpha", Instance: "00000000000000aa", Version: "0.1.0", Uptime: "72h0m0s", Local: 2, Peers: 200,
		States:  map[string]int{messages.PeerAlive: 200},
		Network: messages.NetStats{DatagramsIn: 1_234_567, BytesIn: 987_654_321, OwnIn: 4_000, DatagramsOut: 4_000, BytesOut: 3_456_789},
		Gossip:  messages.GossipStatus{Assemblies: 3, InFlightDisks: 120, MaxInFlightDisks: 100_000, InFlightBytes: 36_864, MaxInFlightBytes: 64 << 20},
		Limits: messages.Limits{MaxDisks: 200_000, Disks: 20_000, MaxPeers: 10_000, Peers: 200, MaxBytes: 1 << 30, Bytes: 5_872_025,
			MaxSightings: 100_000, Sightings: 1_000},
		Sessions: messages.SessionStats{Open: 3, MaxOpen: 4096, QueueEvents: 256, QueueBytes: 64 << 10}}
	local := &messages.Localhost{Node: "alpha", Instance: "00000000000000aa", Version: "0.1.0", Protocol: 2,
		Addresses: []string{"127.0.0.1", "::1"}, Socket: "/run/diskd.sock", Group: "230.1.2.3:32003"}
	return map[string]*lineproto.Answer{
		"help":             Help(false),
		"help_json":        Help(true),
		"list":             List(inv, false),
		"list_json":        List(inv, true),
		"list_empty_json":  List(&messages.Inventory{}, true),
		"list_wide":        List(&messages.Inventory{Disks: wideDisks}, false),
		"mounts_wide":      Mounts(&messages.Inventory{Disks: wideDisks}, false),
		"where_present":    Where(&messages.WhereResult{Query: "backup 2", Matches: disks[1:2]}, false, now),
		"where_last_seen":  Where(&messages.WhereResult{Query: "old", LastSeen: []messages.Seen{seen}}, false, now),
		"where_duplicate":  Where(&messages.WhereResult{Query: "c0ffee00", Matches: disks[2:4], Duplicates: []string{"c0ffee00"}}, false, now),
		"where_not_found":  Where(&messages.WhereResult{Query: "no such"}, false, now),
		"where_json_none":  Where(&messages.WhereResult{Query: "x"}, true, now),
		"mounts":           Mounts(inv, false),
		"mounts_json":      Mounts(inv, true),
		"peers":            Peers(peers, false, now),
		"peers_empty_json": Peers(&messages.Peers{}, true, now),
		"localhost":        Localhost(local, false),
		"localhost_json":   Localhost(local, true),
		"status":           Status(status, false, now),
		"status_idle":      Status(idle, false, now),
		"status_busy":      Status(busy, false, now),
		"status_mount": Status(func() *messages.Status {
			s := *idle
			s.Mount = &messages.MountStatus{Policy: true, Requests: 9, Requesters: 1, Ran: 2, Failed: 1, Replay: 9, Asked: 0,
				Refused: map[string]uint64{"policy": 5, "replay": 1}, Answers: map[string]uint64{}}
			return &s
		}(), false, now),
		"status_idle_json":  Status(idle, true, now),
		"refresh_changed":   Rescan(&messages.RescanDone{Report: report, Changed: true}, false),
		"refresh_unchanged": Rescan(&messages.RescanDone{Report: report}, false),
		"refresh_failed":    Rescan(&messages.RescanDone{Report: failed}, false),
		"refresh_fail_json": Rescan(&messages.RescanDone{Report: failed}, true),
		"unknown":           Error("unknown-command", `unknown command "x"; type help`),
		"mount_done": MountAnswer(&messages.MountAnswer{Action: "mount", Disk: "backup1", Node: "holder", Result: "done",
			Point: "/srv/diskd/backup1"}, false),
		"mount_done_json": MountAnswer(&messages.MountAnswer{Action: "mount", Disk: "backup1", Node: "holder", Result: "done",
			Point: "/srv/diskd/backup1", ID: "0123456789abcdef0123456789abcdef"}, true),
		"mount_refused": MountAnswer(&messages.MountAnswer{Action: "mount", Disk: "backup1", Node: "holder", Result: "refused",
			Reason: `option "exec" is not allowed`}, false),
		"mount_no_answer": MountAnswer(&messages.MountAnswer{Action: "unmount", Disk: "backup1", Node: "holder", Result: "no-answer",
			Reason: "no answer from holder within 30s"}, false),
		"mount_not_found": MountAnswer(&messages.MountAnswer{Action: "mount", Disk: "x\ny", Result: "not-found", Reason: "no node holds it"}, true),
		"unmount_done": MountAnswer(&messages.MountAnswer{Action: "unmount", Disk: "backup1", Node: "holder", Result: "done",
			Point: "/srv/diskd/backup1"}, false),
	}
}

// Every renderer's output, as the bytes a client receives, against
// testdata/<case>.golden (go test -update rewrites them).
func TestRenderers_golden(t *testing.T) {
	for name, a := range cases() {
		t.Run(name, func(t *testing.T) {
			got := a.Encode()
			path := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if string(got) != string(want) {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}
