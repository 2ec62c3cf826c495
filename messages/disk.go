package messages

// Disk is one filesystem as blkid reports it. A disk is identified by its
// UUID when it has one, else by its label; the device name is informative
// only (names like /dev/sdb change between boots).
//
// Values are exact UTF-8 strings as the filesystem stores them: labels may
// hold spaces, quotes and non-ASCII characters. An absent field is "".
type Disk struct {
	UUID   string `json:"uuid"`
	Label  string `json:"label"`
	Device string `json:"device"`
	Type   string `json:"type"`
}

// Key returns the identity used to match the same disk across scans.
func (d Disk) Key() string {
	if d.UUID != "" {
		return "uuid:" + d.UUID
	}
	return "label:" + d.Label
}
