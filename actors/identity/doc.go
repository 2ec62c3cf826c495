// Package identity says which physical disk a block device is: its size,
// the whole disk a partition is on, and that disk's model, serial, WWN,
// transport and flags. It reads the kernel's sysfs (class/block and the
// device tree behind it) and, where udevd runs, its database
// (/run/udev/data/bMAJ:MIN), both given as fs.FS roots so that tests read
// fixture trees. No root privileges are needed. It holds no state; the
// disk watcher reads a Table once per blkid scan.
package identity
