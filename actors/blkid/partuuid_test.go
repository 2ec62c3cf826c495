package blkid

import "testing"

// blkid's PARTUUID (PART_ENTRY_UUID with -p) is the partition's identity;
// a value that is no partition UUID is ignored, not carried.
func TestParse_PartUUID(t *testing.T) {
	out := "DEVNAME=/dev/sda1\nUUID=u1\nPARTUUID=6f1c2a4e-4b1e-4f0e-9d33-2b7a8c1e0a01\n\n" +
		"DEVNAME=/dev/sdb1\nUUID=u2\nPART_ENTRY_UUID=1a2b3c4d-01\n\n" +
		"DEVNAME=/dev/sdc1\nUUID=u3\nPARTUUID=not\\ a\\ uuid\n"
	disks, err := Parse([]byte(out), false)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"/dev/sda1": "6f1c2a4e-4b1e-4f0e-9d33-2b7a8c1e0a01", "/dev/sdb1": "1a2b3c4d-01", "/dev/sdc1": ""}
	if len(disks) != 3 {
		t.Fatalf("got %d disks, want 3", len(disks))
	}
	for _, d := range disks {
		if d.PartUUID != want[d.Device] {
			t.Errorf("%s: got PARTUUID %q, want %q", d.Device, d.PartUUID, want[d.Device])
		}
	}
}
