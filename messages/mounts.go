package messages

// Messages of MountWatcher.

// MountEntry is one line of /proc/self/mountinfo, escapes decoded.
type MountEntry struct {
	// Source is the mount source as the kernel shows it (e.g. /dev/sda1);
	// Resolved is the same with symbolic links followed (/dev/disk/by-uuid/…
	// and /dev/mapper/… name the device node), or Source when it is not a
	// path.
	Source, Resolved string
	Path             string
	FSType           string
	ReadOnly         bool
}

// MountsScanned reports the current mount table to Info, which attaches
// the mount points to the local disks they belong to. Err is set when the
// table could not be read; Info then keeps the mounts it had.
type MountsScanned struct {
	Entries []MountEntry
	Err     string
}
