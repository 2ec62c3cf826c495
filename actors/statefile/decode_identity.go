package statefile

import (
	"strconv"

	"github.com/diskd-actors/diskd-actors/messages"
)

// identityField parses one of a disk's identity fields (messages.Identity,
// as encoding/json writes them); ok is false for any other key.
func (p *parser) identityField(key string, id *messages.Identity) (ok bool, err error) {
	switch key {
	case "size":
		return true, p.sizeTo("size", &id.Size)
	case "disk":
		return true, p.strTo("disk", &id.WholeDisk)
	case "model":
		return true, p.strTo("model", &id.Model)
	case "serial":
		return true, p.strTo("serial", &id.Serial)
	case "wwn":
		return true, p.strTo("wwn", &id.WWN)
	case "transport":
		return true, p.strTo("transport", &id.Transport)
	case "partuuid":
		return true, p.strTo("partuuid", &id.PartUUID)
	case "removable":
		id.Removable = new(bool)
		return true, p.boolTo("removable", id.Removable)
	case "rotational":
		id.Rotational = new(bool)
		return true, p.boolTo("rotational", id.Rotational)
	}
	return false, nil
}

// sizeTo parses a byte count: up to 18 digits, so that it fits an int64.
func (p *parser) sizeTo(path string, dst *int64) error {
	at, j := p.i, p.i
	for j < len(p.b) && j-at < 18 && p.b[j] >= '0' && p.b[j] <= '9' {
		j++
	}
	if j == at || j < len(p.b) && p.b[j] >= '0' && p.b[j] <= '9' {
		return p.fail(at, path, "want a byte count of at most 18 digits")
	}
	v, _ := strconv.ParseInt(string(p.b[at:j]), 10, 64)
	*dst, p.i = v, j
	return nil
}

// identity writes the known identity fields after a disk's others (a disk
// always has a uuid or a label first, so each starts with a comma).
func (e *encoder) identity(id *messages.Identity) {
	if id.Size > 0 {
		e.raw(`,"size":`)
		e.buf = strconv.AppendInt(e.buf, id.Size, 10)
	}
	for _, f := range [...]struct{ k, v string }{
		{`,"disk":`, id.WholeDisk}, {`,"model":`, id.Model}, {`,"serial":`, id.Serial},
		{`,"wwn":`, id.WWN}, {`,"transport":`, id.Transport}, {`,"partuuid":`, id.PartUUID},
	} {
		if f.v != "" {
			e.raw(f.k)
			e.str(f.v)
		}
	}
	for _, f := range [...]struct {
		k string
		v *bool
	}{{`,"removable":`, id.Removable}, {`,"rotational":`, id.Rotational}} {
		if f.v != nil {
			e.raw(f.k)
			e.buf = strconv.AppendBool(e.buf, *f.v)
		}
	}
}
