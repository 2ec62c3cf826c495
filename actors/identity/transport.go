package identity

import (
	"io/fs"
	"path"
	"strings"
)

// transport names how the disk at the sysfs path disk is attached, from
// the buses its device path passes through (usb before scsi: a USB stick
// is a SCSI disk behind a USB bridge) or, for virtual devices, from the
// driver: loop, dm, md, or the name's letters (zram, nbd, ram). "" when
// nothing says.
func transport(sys fs.FS, disk, name string, udev map[string]string) string {
	p := "/" + disk + "/"
	switch {
	case strings.Contains(p, "/usb"):
		return "usb"
	case strings.Contains(p, "/nvme/") || strings.HasPrefix(name, "nvme"):
		return "nvme"
	case hasSegment(p, "ata"):
		if udev["ID_ATA_SATA"] == "1" {
			return "sata"
		}
		return "ata" // SATA or PATA: only udev tells them apart
	case strings.Contains(p, "/mmc_host/") || strings.HasPrefix(name, "mmcblk"):
		return "mmc"
	case exists(sys, disk+"/loop") || strings.HasPrefix(name, "loop"):
		return "loop"
	case exists(sys, disk+"/dm"):
		return "dm"
	case exists(sys, disk+"/md"):
		return "md"
	case hasSegment(p, "virtio") && !strings.Contains(p, "/host"):
		return "virtio" // virtio-blk; virtio-scsi disks are scsi below
	case strings.Contains(p, "/target") || hasSegment(p, "host"):
		return "scsi"
	case strings.HasPrefix(disk, "devices/virtual/"):
		return strings.TrimRight(path.Base(disk), "0123456789")
	}
	return ""
}

// hasSegment reports whether the path has a component of prefix followed
// by digits only (ata1, virtio3, host0).
func hasSegment(p, prefix string) bool {
	for _, seg := range strings.Split(p, "/") {
		if rest, ok := strings.CutPrefix(seg, prefix); ok && rest != "" && strings.Trim(rest, "0123456789") == "" {
			return true
		}
	}
	return false
}
