package messages

import "slices"

// Disk is one filesystem as blkid reports it, with where it is mounted. A
// disk is identified by its UUID when it has one, else by its label; the
// device name is informative only (names like /dev/sdb change between
// boots).
//
// Values are exact UTF-8 strings as the filesystem stores them: labels may
// hold spaces, quotes and non-ASCII characters. An absent field is "".
type Disk struct {
	UUID   string  `json:"uuid" yaml:"uuid"`
	Label  string  `json:"label" yaml:"label"`
	Device string  `json:"device" yaml:"device"`
	Type   string  `json:"type" yaml:"type"`
	Mounts []Mount `json:"mounts,omitempty" yaml:"mounts,omitempty"`
	// Identity is the physical disk under the filesystem; its fields sit
	// beside the others in JSON and YAML.
	Identity `yaml:",inline"`
}

// Mount is one place a disk is mounted on its host.
type Mount struct {
	Path     string `json:"path" yaml:"path"`
	FSType   string `json:"fstype" yaml:"fstype"`
	ReadOnly bool   `json:"ro" yaml:"ro"`
}

// Key returns the identity used to match the same disk across scans and
// hosts.
func (d Disk) Key() string {
	if d.UUID != "" {
		return "uuid:" + d.UUID
	}
	return "label:" + d.Label
}

// Equal reports whether two disks are the same in every field.
func (d Disk) Equal(o Disk) bool {
	return d.UUID == o.UUID && d.Label == o.Label && d.Device == o.Device &&
		d.Type == o.Type && slices.Equal(d.Mounts, o.Mounts) && d.Identity.Equal(o.Identity)
}

// DisksEqual reports whether two disk lists are equal element by element.
// The same list is equal at once: an announce of a known generation keeps
// the peer's disks, and comparing 100 of them to themselves was a third of
// what the daemon spent on it.
func DisksEqual(a, b []Disk) bool {
	if len(a) == len(b) && len(a) > 0 && &a[0] == &b[0] {
		return true
	}
	return slices.EqualFunc(a, b, Disk.Equal)
}
