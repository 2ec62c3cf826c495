package bed

import (
	"fmt"
	"strings"

	"github.com/diskd-actors/diskd-actors/actors/blkid"
	"github.com/diskd-actors/diskd-actors/messages"
)

// Disk is one filesystem a host's fake blkid reports. MountPoint, when not
// empty, puts the disk in the host's mount table (mounts.file).
type Disk struct {
	Device     string
	UUID       string
	Label      string
	Type       string
	MountPoint string
}

// Disks returns n distinct disks for host number host: UUIDs and labels
// unique across hosts, devices /dev/sdX-like and type ext4.
func Disks(host, n int) []Disk {
	ds := make([]Disk, n)
	for i := range ds {
		ds[i] = Disk{
			Device: fmt.Sprintf("/dev/disk/bed/h%d-%d", host, i),
			UUID:   UUID(host, i),
			Label:  fmt.Sprintf("h%d disk %d", host, i),
			Type:   "ext4",
		}
	}
	return ds
}

// UUID returns a UUID-shaped identifier unique to (host, n).
func UUID(host, n int) string {
	return fmt.Sprintf("%08x-bed0-4000-8000-%012x", host, n)
}

// ExportFormat renders disks as `blkid -o export` prints them, through
// blkid.Encode: the one encoder of blkid output.
func ExportFormat(disks []Disk) string {
	ds := make([]messages.Disk, len(disks))
	for i, d := range disks {
		ds[i] = messages.Disk{Device: d.Device, UUID: d.UUID, Label: d.Label, Type: d.Type}
	}
	return string(blkid.Encode(ds, blkid.Export))
}

// mountTable renders a mount table in /proc/self/mountinfo format: a root
// file system on a device no disk uses, then one line per mounted disk.
func mountTable(disks []Disk) string {
	var b strings.Builder
	b.WriteString("22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/bed-root rw\n")
	for i, d := range disks {
		if d.MountPoint == "" {
			continue
		}
		fmt.Fprintf(&b, "%d 22 8:%d / %s rw,noatime - %s %s rw\n", 100+i, i+1, mountEscape(d.MountPoint), d.Type, d.Device)
	}
	return b.String()
}

// mountEscape escapes as the kernel does in mountinfo: space, tab,
// newline and backslash as octal.
func mountEscape(s string) string {
	return strings.NewReplacer(" ", `\040`, "\t", `\011`, "\n", `\012`, `\`, `\134`).Replace(s)
}
