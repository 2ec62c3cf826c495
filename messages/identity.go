package messages

// Identity says which physical disk a filesystem is on: read from sysfs and
// the udev database on the disk's host (see actors/identity). Filesystem
// UUIDs are copied with the filesystem (a cloned disk carries its UUID onto
// another drive); serial and WWN belong to the hardware. Every field is
// optional: absent means unknown, so a disk without identity encodes as it
// did before identity existed.
type Identity struct {
	// Size is the filesystem's block device size in bytes (the partition,
	// or the whole disk when it has no partitions).
	Size int64 `json:"size,omitempty" yaml:"size,omitempty"`
	// WholeDisk is the whole-disk device the filesystem is on (/dev/sda
	// for /dev/sda1; the device itself when it is not a partition).
	WholeDisk string `json:"disk,omitempty" yaml:"disk,omitempty"`
	Model     string `json:"model,omitempty" yaml:"model,omitempty"`
	Serial    string `json:"serial,omitempty" yaml:"serial,omitempty"`
	WWN       string `json:"wwn,omitempty" yaml:"wwn,omitempty"`
	// Transport is how the disk is attached: usb, sata, ata, scsi, nvme,
	// virtio, mmc, loop, dm, md, ... (see actors/identity).
	Transport string `json:"transport,omitempty" yaml:"transport,omitempty"`
	// PartUUID is the partition's UUID in its partition table (GPT or MBR).
	PartUUID   string `json:"partuuid,omitempty" yaml:"partuuid,omitempty"`
	Removable  *bool  `json:"removable,omitempty" yaml:"removable,omitempty"`
	Rotational *bool  `json:"rotational,omitempty" yaml:"rotational,omitempty"`
}

// Known reports whether anything about the physical disk is known.
func (id Identity) Known() bool { return !id.Equal(Identity{}) }

// Equal reports whether two identities say the same, flags by value.
func (id Identity) Equal(o Identity) bool {
	return id.Size == o.Size && id.WholeDisk == o.WholeDisk && id.Model == o.Model &&
		id.Serial == o.Serial && id.WWN == o.WWN && id.Transport == o.Transport &&
		id.PartUUID == o.PartUUID && flagEqual(id.Removable, o.Removable) && flagEqual(id.Rotational, o.Rotational)
}

// HardwareID is what names the physical disk across hosts: its WWN, else
// its serial (with the model, since cheap USB bridges share serials across
// models), else "".
func (id Identity) HardwareID() string {
	switch {
	case id.WWN != "":
		return "wwn:" + id.WWN
	case id.Serial != "":
		return "serial:" + id.Model + "/" + id.Serial
	}
	return ""
}

func flagEqual(a, b *bool) bool {
	return a == b || a != nil && b != nil && *a == *b
}

// Flag returns a pointer to v, for Identity's optional flags.
func Flag(v bool) *bool { return &v }

// Duplicate kinds: what two records share that should be unique.
const (
	// DupHardware: one physical disk (its WWN, or model and serial) on
	// more than one node at once, which a disk cannot be: a copied
	// identity, a bridge that reports one serial for every disk, or an
	// error.
	DupHardware = "hardware"
	// DupClonedUUID: one filesystem UUID on more than one physical disk (a
	// cloned filesystem); never merged into one disk.
	DupClonedUUID = "cloned_uuid"
)

// Duplicate is one identity held by records that should not share it.
// Value is the WWN or serial (DupHardware) or the UUID (DupClonedUUID).
type Duplicate struct {
	Kind  string     `json:"kind"`
	Value string     `json:"value"`
	Nodes []string   `json:"nodes"`
	Disks []NodeDisk `json:"disks"`
}
