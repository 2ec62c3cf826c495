package identity

import (
	"testing"

	"github.com/diskd-actors/diskd-actors/messages"
)

func nd(node, dev, uuid, wwn, serial string) messages.NodeDisk {
	return messages.NodeDisk{Node: node, Disk: messages.Disk{UUID: uuid, Device: dev,
		Identity: messages.Identity{WWN: wwn, Serial: serial, Model: "M"}}}
}

func raid(d messages.NodeDisk) messages.NodeDisk {
	d.Type = "linux_raid_member"
	return d
}

func TestDuplicates(t *testing.T) {
	got := Duplicates([]messages.NodeDisk{
		// One USB disk's serial on two hosts: one physical disk cannot be.
		nd("b", "/dev/sdb1", "u-1", "", "S1"), nd("a", "/dev/sdb1", "u-2", "", "S1"),
		// Two partitions of one disk on one host: no duplicate.
		nd("a", "/dev/sda1", "u-3", "0x5000", ""), nd("a", "/dev/sda2", "u-4", "0x5000", ""),
		// A cloned filesystem: one UUID on two physical disks of one host.
		nd("c", "/dev/sdc1", "u-5", "0x6000", ""), nd("c", "/dev/sdd1", "U-5", "0x7000", ""),
		// A RAID 1's two members: one array UUID on two disks, as it should.
		raid(nd("d", "/dev/sde1", "r-1", "0x8000", "")), raid(nd("d", "/dev/sdf1", "r-1", "0x9000", "")),
		// One UUID on two nodes without identity: not this function's.
		nd("a", "/dev/x", "u-6", "", ""), nd("b", "/dev/x", "u-6", "", ""),
	})
	if len(got) != 2 {
		t.Fatalf("got %d duplicates, want 2: %+v", len(got), got)
	}
	if g := got[0]; g.Kind != messages.DupClonedUUID || g.Value != "u-5" || len(g.Nodes) != 1 || len(g.Disks) != 2 {
		t.Errorf("cloned UUID: got %+v", g)
	}
	if g := got[1]; g.Kind != messages.DupHardware || g.Value != "S1" || len(g.Nodes) != 2 || g.Nodes[0] != "a" || g.Disks[0].Node != "a" {
		t.Errorf("serial on two hosts: got %+v", g)
	}
	if Duplicates(nil) != nil {
		t.Error("nothing: got duplicates")
	}
}
