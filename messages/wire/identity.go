package wire

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/diskd-actors/diskd-actors/messages"
)

// Identity fields (messages.Identity) travel in version 2 chunks beside a
// disk's other fields, all optional. A daemon from before identity ignores
// them (unknown fields are ignored); one that knows them validates them
// here. They are bounded tighter than MaxField so that a disk with all of
// them still fits a chunk with room for its mounts.
const (
	// MaxIdentityField bounds disk, model, serial, wwn and partuuid, in
	// bytes: NVMe WWIDs are the longest real values, at about 100.
	MaxIdentityField = 128
	// MaxTransport bounds the transport word, [a-z0-9_-].
	MaxTransport = 16
)

// ValidIdentity checks a disk's identity fields as the wire and the state
// file accept them.
func ValidIdentity(id *messages.Identity) error {
	if id.Size < 0 {
		return fmt.Errorf("size %d: want bytes, 0 when unknown", id.Size)
	}
	for _, f := range [...]struct{ name, v string }{
		{"disk", id.WholeDisk}, {"model", id.Model}, {"serial", id.Serial}, {"wwn", id.WWN}, {"partuuid", id.PartUUID},
	} {
		if err := validIdentityText(f.v); err != nil {
			return fmt.Errorf("%s: %v", f.name, err)
		}
	}
	if len(id.Transport) > MaxTransport {
		return fmt.Errorf("transport: %d bytes, limit %d", len(id.Transport), MaxTransport)
	}
	for i := 0; i < len(id.Transport); i++ {
		if c := id.Transport[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return errors.New("transport: want [a-z0-9_-]")
		}
	}
	return nil
}

// validIdentityText accepts UTF-8 of at most MaxIdentityField bytes
// without control characters (these values are printed in tables).
func validIdentityText(s string) error {
	if len(s) > MaxIdentityField {
		return fmt.Errorf("%d bytes, limit %d", len(s), MaxIdentityField)
	}
	if !utf8.ValidString(s) {
		return errors.New("not valid UTF-8")
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return errors.New("contains a control character")
		}
	}
	return nil
}
