package statefile

import (
	"bytes"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
)

// A peer's disk with identity survives a save and a load field by field,
// and one without identity is saved as before.
func TestIdentity_RoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 2, 5, 0, 0, 0, time.UTC)
	withID := messages.Disk{UUID: "u-1", Label: "backup", Device: "/dev/sdb1", Type: "ext4", Identity: messages.Identity{
		Size: 2000398934016, WholeDisk: "/dev/sdb", Model: "WDC WD20EZRZ", Serial: "WD-WCC4N1234567", WWN: "0x50014ee2b5a1c3d4",
		Transport: "usb", PartUUID: "0b1c2d3e-01", Removable: messages.Flag(false), Rotational: messages.Flag(true)}}
	plain := messages.Disk{UUID: "u-2", Device: "/dev/sdc1"}
	in := &messages.StateSnapshot{Node: "n1", Peers: []messages.SavedPeer{{Node: "p1", Instance: "0123456789abcdef", LastSeen: at,
		Disks: []messages.Disk{withID, plain}}}}
	var buf bytes.Buffer
	if err := Encode(&buf, in); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte(`{"uuid":"u-2","device":"/dev/sdc1"}`)) {
		t.Errorf("a disk without identity is saved with more than its fields: %s", buf.Bytes())
	}
	out, _, err := Decode(buf.Bytes())
	if err != nil {
		t.Fatalf("decode %s: %v", buf.Bytes(), err)
	}
	if len(out.Peers) != 1 || !messages.DisksEqual(out.Peers[0].Disks, in.Peers[0].Disks) {
		t.Errorf("got %+v, want %+v", out.Peers, in.Peers)
	}
}

func TestIdentity_BadFieldsRejected(t *testing.T) {
	doc := func(disk string) string {
		return `{"version":2,"node":"n1","peers":[{"node":"p1","last_seen":"2026-12-02T05:00:00Z","disks":[` + disk + `]}]}`
	}
	if _, _, err := Decode([]byte(doc(`{"uuid":"u","size":12345678901234,"removable":true}`))); err != nil {
		t.Fatalf("a valid disk with identity: %v", err)
	}
	for _, tc := range []struct{ name, disk string }{
		{"negative size", `{"uuid":"u","size":-1}`},
		{"size too long", `{"uuid":"u","size":1234567890123456789}`},
		{"removable not a bool", `{"uuid":"u","removable":1}`},
		{"transport not a word", `{"uuid":"u","transport":"USB 3"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := Decode([]byte(doc(tc.disk))); err == nil {
				t.Errorf("decode %s: got no error", doc(tc.disk))
			}
		})
	}
}
