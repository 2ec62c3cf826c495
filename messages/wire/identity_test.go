package wire

import (
	"strings"
	"testing"

	"github.com/diskd-actors/diskd-actors/messages"
)

// fullIdentity has every identity field at its limit.
func fullIdentity() messages.Identity {
	long := strings.Repeat("x", MaxIdentityField)
	return messages.Identity{Size: 1<<62 - 1, WholeDisk: long, Model: long, Serial: long, WWN: long,
		Transport: strings.Repeat("t", MaxTransport), PartUUID: long, Removable: messages.Flag(true), Rotational: messages.Flag(false)}
}

func TestValidIdentity(t *testing.T) {
	ok := fullIdentity()
	if err := ValidIdentity(&ok); err != nil {
		t.Errorf("every field at its limit: %v", err)
	}
	for _, c := range []struct {
		name string
		edit func(*messages.Identity)
	}{
		{"negative size", func(id *messages.Identity) { id.Size = -1 }},
		{"model too long", func(id *messages.Identity) { id.Model += "x" }},
		{"serial not UTF-8", func(id *messages.Identity) { id.Serial = "\xff" }},
		{"wwn with a newline", func(id *messages.Identity) { id.WWN = "a\nb" }},
		{"transport upper case", func(id *messages.Identity) { id.Transport = "USB" }},
		{"transport too long", func(id *messages.Identity) { id.Transport += "t" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			id := fullIdentity()
			c.edit(&id)
			if ValidIdentity(&id) == nil {
				t.Errorf("got no error for %+v", id)
			}
			if ValidDisk(messages.Disk{UUID: "u", Identity: id}) == nil {
				t.Error("ValidDisk accepts it")
			}
		})
	}
}

// A chunk of disks with identity decodes to the same disks; every chunk of
// a large inventory with identity stays within MaxDatagram.
func TestChunk_IdentityRoundTripAndSize(t *testing.T) {
	var disks []messages.Disk
	for i := range 200 {
		disks = append(disks, messages.Disk{UUID: strings.Repeat("u", 35) + string(rune('a'+i%26)) + strings.Repeat("0", i/26),
			Label: "backup", Device: "/dev/sdb1", Type: "ext4", Mounts: []messages.Mount{{Path: "/media/backup", FSType: "ext4"}},
			Identity: messages.Identity{Size: 2000398934016, WholeDisk: "/dev/sdb", Model: "WDC WD20EZRZ-00Z5HB0", Serial: "WD-WCC4N1234567",
				WWN: "0x50014ee2b5a1c3d4", Transport: "usb", PartUUID: "6f1c2a4e-4b1e-4f0e-9d33-2b7a8c1e0a01",
				Removable: messages.Flag(false), Rotational: messages.Flag(true)}})
	}
	parts, err := SplitInventory("node-1", "0123456789abcdef", "diskd-actors/test", disks)
	if err != nil {
		t.Fatal(err)
	}
	var back []messages.Disk
	for i, p := range parts {
		b, err := EncodeDatagram(&Envelope{Kind: KindChunk, Node: "node-1", Instance: "0123456789abcdef", Seq: uint64(i + 1),
			Gen: 1, Chunks: len(parts), Index: i, Disks: p}, nil)
		if err != nil || len(b) > MaxDatagram {
			t.Fatalf("chunk %d: %d bytes, %v", i, len(b), err)
		}
		env, err := DecodeDatagram(b, nil)
		if err != nil {
			t.Fatalf("chunk %d: %v", i, err)
		}
		back = append(back, env.Disks...)
	}
	if !messages.DisksEqual(back, disks) {
		t.Errorf("disks changed on the way")
	}
}

// A disk too large for a chunk with its identity loses its mounts, then its
// identity, before it is left out.
func TestFitDisks_IdentityGoesBeforeTheDisk(t *testing.T) {
	long := strings.Repeat("l", MaxField)
	d := messages.Disk{UUID: long, Label: long, Device: long, Identity: fullIdentity()}
	fitted, problems := FitDisks("n", "0123456789abcdef", "", []messages.Disk{d})
	if len(fitted) != 1 || fitted[0].Identity.Known() || len(problems) != 1 || !strings.Contains(problems[0], "identity") {
		t.Errorf("got %d disks (identity %v), problems %q", len(fitted), len(fitted) == 1 && fitted[0].Known(), problems)
	}
}
