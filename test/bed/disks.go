package bed

import (
	"fmt"
	"strings"
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

// ExportFormat renders disks as `blkid -o export` prints them: KEY=value
// lines, a blank line after each device, values escaped as blkid's
// safe_print does (high bytes as M-, control characters as ^, a backslash
// before shell-special characters).
func ExportFormat(disks []Disk) string {
	var b strings.Builder
	for _, d := range disks {
		b.WriteString("DEVNAME=" + d.Device + "\n")
		if d.Label != "" {
			b.WriteString("LABEL=" + blkidEscape(d.Label) + "\n")
		}
		if d.UUID != "" {
			b.WriteString("UUID=" + d.UUID + "\n")
		}
		b.WriteString("TYPE=" + d.Type + "\n\n")
	}
	return b.String()
}

func blkidEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 128 {
			b.WriteString("M-")
			c -= 128
		}
		if c < 32 || c == 0x7f {
			b.WriteByte('^')
			c ^= 0x40
		}
		if strings.IndexByte(" \\\"'$`<>", c) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
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
