package test

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/actors/identity/identitytest"
	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// Identity end to end on fixture trees: host 0 has a USB stick and an NVMe
// disk, host 1 the same USB stick's identity (a bridge that copies serials,
// or a mistake) and a SATA disk whose filesystem is a clone of host 0's
// NVMe one. Each daemon reads its own sysfs and udev trees (identity.*),
// announces identity in its chunks, and its peer lists it, finds disks by
// serial, WWN, PARTUUID and model, and reports both duplicates.
func TestIdentity_FixtureTreesAcrossTheLAN(t *testing.T) {
	t.Parallel()
	const clone = "c10e0000-0000-4000-8000-000000000001"
	trees := [][]string{{"usb", "nvme"}, {"usb", "sata"}}
	disks := [][]bed.Disk{
		{{Device: "/dev/sdb1", UUID: bed.UUID(0, 1), Label: "stick", Type: "vfat"}, {Device: "/dev/nvme0n1p1", UUID: clone, Label: "root", Type: "ext4"}},
		{{Device: "/dev/sdb1", UUID: bed.UUID(1, 1), Label: "stick 2", Type: "vfat"}, {Device: "/dev/sda2", UUID: clone, Label: "root", Type: "ext4"}},
	}
	roots := make([]string, 2)
	for h := range roots {
		roots[h] = t.TempDir()
		for _, tree := range trees[h] {
			if err := identitytest.Write(filepath.Join("..", "actors", "identity", "testdata", tree+".tree"), roots[h]); err != nil {
				t.Fatal(err)
			}
		}
	}
	b := bed.New(t, bed.Options{Hosts: 2, Announce: 250 * time.Millisecond,
		Disks: func(h int) []bed.Disk { return disks[h] },
		Configure: func(h int, c *config.Config) {
			c.Identity.Sysfs, c.Identity.UdevData = filepath.Join(roots[h], "sys"), filepath.Join(roots[h], "udev")
		}})
	a := b.Hosts[0]
	peer := b.Hosts[1].Name
	var list []map[string]any
	lastSeenPoll(t, 20*time.Second, "host 0 lists host 1's disks", func() bool {
		list = nil
		if err := a.QueryJSON("list", &list); err != nil {
			t.Fatal(err)
		}
		return len(list) == 4
	})
	var sata map[string]any
	for _, d := range list {
		if d["node"] == peer && d["device"] == "/dev/sda2" {
			sata = d
		}
	}
	want := map[string]any{"size": float64(975722496 * 512), "disk": "/dev/sda", "model": "Samsung SSD 860 EVO 500GB",
		"serial": "S3Z1NB0K123456A", "wwn": "0x5002538e40a1b2c3", "transport": "sata", "removable": false, "rotational": false,
		"partuuid": "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c02"}
	for k, v := range want {
		if sata[k] != v {
			t.Errorf("--json list, %s's /dev/sda2: %s = %v, want %v (object %v)", peer, k, sata[k], v, sata)
		}
	}

	for q, nodes := range map[string]string{
		"S3Z1NB0K123456A":                      peer,                 // serial
		"0X5002538E40A1B2C3":                   peer,                 // WWN, any case
		"0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c02": peer,                 // PARTUUID
		"970 evo":                              a.Name,               // model substring
		"cruzer":                               a.Name + ", " + peer, // both sticks
	} {
		ans, err := a.Query("where " + strconv.Quote(q))
		if err != nil {
			t.Fatal(err)
		}
		if ans.Summary() != "on "+nodes {
			t.Errorf("where %q: got %q, want %q", q, ans.Status, "on "+nodes)
		}
	}

	var dups []messages.Duplicate
	if err := a.QueryJSON("duplicates", &dups); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range dups {
		got[d.Kind] = d.Value + " on " + strings.Join(d.Nodes, ",")
	}
	if len(dups) != 2 || got[messages.DupHardware] != "4C530001230412345678 on "+a.Name+","+peer ||
		got[messages.DupClonedUUID] != clone+" on "+a.Name+","+peer {
		b, _ := json.Marshal(dups)
		t.Errorf("duplicates: got %s", b)
	}
	for cmd, want := range map[string]string{
		"list --long":    "warning: disk 4C530001230412345678 is on more than one node at once",
		"where " + clone: "warning: UUID " + clone + " is on 2 different physical disks",
		"list":           "warning: UUID " + clone + " is on 2 different physical disks",
		"duplicates":     "cloned_uuid",
	} {
		ans, err := a.Query(cmd)
		if err != nil {
			t.Fatal(err)
		}
		if text := strings.Join(ans.Lines, "\n"); !strings.Contains(text, want) {
			t.Errorf("%s: missing %q in\n%s", cmd, want, text)
		}
	}
	ans, err := a.Query("list --long")
	if err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(ans.Lines, "\n"); !strings.Contains(text, "TRANSPORT") || !strings.Contains(text, "932 GiB") || !strings.Contains(text, "nvme") {
		t.Errorf("list --long: no sizes or transport in\n%s", text)
	}
}
