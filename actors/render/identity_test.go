package render

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/diskd-actors/diskd-actors/messages"
)

func TestDiskSize(t *testing.T) {
	for n, want := range map[int64]string{-1: "-", 0: "-", 512: "512 B", 16 << 20: "16 MiB", 500107862016: "466 GiB", 2000398934016: "1.8 TiB", 1536: "1.5 KiB"} {
		if got := diskSize(n); got != want {
			t.Errorf("diskSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func identityInventory() *messages.Inventory {
	usb := messages.Identity{Size: 2000398934016, WholeDisk: "/dev/sdb", Model: "Elements 25A2", Serial: "575833314435", Transport: "usb",
		Removable: messages.Flag(true), Rotational: messages.Flag(true)}
	disks := []messages.NodeDisk{
		{Node: "alpha", Local: true, Disk: messages.Disk{UUID: "u-1", Label: "backup", Device: "/dev/sdb1", Type: "ext4", Identity: usb}},
		{Node: "beta", Disk: messages.Disk{UUID: "u-2", Label: "old", Device: "/dev/sdc1", Type: "ext4", Identity: usb}},
		{Node: "beta", Disk: messages.Disk{UUID: "u-3", Device: "/dev/vdb", Type: "xfs"}},
	}
	return &messages.Inventory{Disks: disks, Duplicates: []messages.Duplicate{{Kind: messages.DupHardware, Value: "575833314435",
		Nodes: []string{"alpha", "beta"}, Disks: disks[:2]}}}
}

// list --long shows each disk's physical disk, "-" where unknown, and
// warns of duplicates after the table.
func TestListLong(t *testing.T) {
	a := ListLong(identityInventory(), false)
	text := strings.Join(a.Lines, "\n")
	for _, want := range []string{"SIZE", "TRANSPORT", "1.8 TiB", "/dev/sdb", `"Elements 25A2"`, "removable,rotational",
		"warning: disk 575833314435 is on more than one node at once: alpha, beta"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	if last := a.Lines[3]; !strings.HasPrefix(last, "beta") || !strings.Contains(last, "xfs   -") {
		t.Errorf("a disk without identity: got %q", last)
	}
}

// Every --json list object carries the identity fields it knows, sizes as
// integers, and none it does not know.
func TestList_JSONIdentity(t *testing.T) {
	a := List(identityInventory(), true)
	var objs []map[string]any
	if err := json.Unmarshal([]byte(a.Lines[0]), &objs); err != nil {
		t.Fatal(err)
	}
	if objs[0]["size"] != float64(2000398934016) || objs[0]["transport"] != "usb" || objs[0]["removable"] != true || objs[0]["disk"] != "/dev/sdb" {
		t.Errorf("with identity: got %v", objs[0])
	}
	for _, k := range []string{"size", "disk", "model", "serial", "wwn", "transport", "removable", "rotational"} {
		if _, ok := objs[2][k]; ok {
			t.Errorf("without identity: got %s in %v", k, objs[2])
		}
	}
}

func TestDuplicates_Answer(t *testing.T) {
	a := Duplicates(identityInventory(), false)
	if len(a.Lines) != 3 || !strings.HasPrefix(a.Lines[1], "hardware") || a.Message != "1 duplicate" {
		t.Errorf("got %q %q", a.Lines, a.Message)
	}
	j := Duplicates(&messages.Inventory{}, true)
	if j.Lines[0] != "[]" || j.Message != "0 duplicates" {
		t.Errorf("none as JSON: got %q %q", j.Lines, j.Message)
	}
}
