package wire

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/diskd-actors/diskd-actors/messages"
)

// testdata/prev_release_chunk.bin is a chunk datagram the release before
// identity (commit 7554c30) sent on lo: captured by a listener joined to
// its group while it announced two disks (see docs/protocol.md, "Identity
// fields"). It still decodes, to disks without identity.
func TestCompat_PreviousReleaseChunk(t *testing.T) {
	b, err := os.ReadFile("testdata/prev_release_chunk.bin")
	if err != nil {
		t.Fatal(err)
	}
	env, err := DecodeDatagram(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []messages.Disk{
		{UUID: "6a1f0c2e-51b4-4d6e-9c1a-2f3e4d5c6b7a", Label: "backup", Device: "/dev/sdb1", Type: "ext4"},
		{UUID: "1234-ABCD", Label: "photos 2", Device: "/dev/sdc1", Type: "vfat"},
	}
	if env.Kind != KindChunk || env.Node != "prev-release" || !messages.DisksEqual(env.Disks, want) {
		t.Errorf("got %+v", env)
	}
}

// testdata/identity_chunk.bin is a chunk this release sent with identity
// (captured the same way). This decoder reads the identity; the previous
// release's Disk, which had only these fields and decoded with
// encoding/json's default of ignoring unknown fields, reads the rest.
func TestCompat_IdentityChunk(t *testing.T) {
	b, err := os.ReadFile("testdata/identity_chunk.bin")
	if err != nil {
		t.Fatal(err)
	}
	env, err := DecodeDatagram(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(env.Disks) != 1 || env.Disks[0].Serial != "4C530001230412345678" || env.Disks[0].Transport != "usb" ||
		env.Disks[0].PartUUID != "1a2b3c4d-01" || env.Disks[0].Size != 15375269888 {
		t.Fatalf("got %+v", env.Disks)
	}
	body, _, err := DecodeFrame(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	var prev struct {
		Disks []struct {
			UUID, Label, Device, Type string
			Mounts                    []messages.Mount
		}
	}
	if err := json.Unmarshal(body, &prev); err != nil || len(prev.Disks) != 1 || prev.Disks[0].UUID != env.Disks[0].UUID {
		t.Errorf("as the previous release reads it: %+v, %v", prev, err)
	}
}
