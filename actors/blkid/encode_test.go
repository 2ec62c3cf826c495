package blkid

import (
	"testing"

	"github.com/diskd-actors/diskd-actors/messages"
)

func TestEncode(t *testing.T) {
	disks := []messages.Disk{
		{Device: "/dev/sda1", UUID: "u-1", Label: `bäck "up" $1`, Type: "ext4"},
		{Device: "/dev/sdb1", UUID: "u-2", Type: "xfs"},
		{Device: "/dev/sdc1"}, // no tags: blkid does not list it
		{Device: "/dev/sdd1", Label: "tab\there"},
	}
	for _, c := range []struct {
		name string
		f    Format
		want string
	}{
		{"full", Full, `/dev/sda1: LABEL="bM-CM-$ck \"up\" $1" UUID="u-1" TYPE="ext4"` + "\n" +
			`/dev/sdb1: UUID="u-2" TYPE="xfs"` + "\n" +
			`/dev/sdd1: LABEL="tab^Ihere"` + "\n"},
		{"export", Export, "DEVNAME=/dev/sda1\nLABEL=bM-CM-\\$ck\\ \\\"up\\\"\\ \\$1\nUUID=u-1\nTYPE=ext4\n\n" +
			"DEVNAME=/dev/sdb1\nUUID=u-2\nTYPE=xfs\n\n" +
			"DEVNAME=/dev/sdd1\nLABEL=tab^Ihere\n\n"},
		{"full raw", Full | Raw, `/dev/sda1: LABEL="bäck "up" $1" UUID="u-1" TYPE="ext4"` + "\n" +
			`/dev/sdb1: UUID="u-2" TYPE="xfs"` + "\n" +
			"/dev/sdd1: LABEL=\"tab\there\"\n"},
		{"export raw", Export | Raw, "DEVNAME=/dev/sda1\nLABEL=bäck \"up\" $1\nUUID=u-1\nTYPE=ext4\n\n" +
			"DEVNAME=/dev/sdb1\nUUID=u-2\nTYPE=xfs\n\n" +
			"DEVNAME=/dev/sdd1\nLABEL=tab\there\n\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := Encode(disks, c.f)
			if string(out) != c.want {
				t.Fatalf("got\n%s\nwant\n%s", out, c.want)
			}
			got, err := Parse(out, c.f&Raw != 0)
			want := []messages.Disk{disks[0], disks[1], disks[3]}
			if err != nil || !messages.DisksEqual(got, want) {
				t.Fatalf("parsed back: got %+v, %v, want %+v", got, err, want)
			}
		})
	}
	if out := Encode(nil, Export); len(out) != 0 {
		t.Errorf("no disks: got %q, want nothing", out)
	}
}
