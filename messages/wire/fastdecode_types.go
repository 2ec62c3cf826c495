package wire

import "github.com/diskd-actors/diskd-actors/messages"

// The fast path's readers of the envelope's types (fastdecode.go). Each
// field may come once; a second time, the slow path decides (encoding/json
// merges duplicates in ways not worth repeating here).

func (c *cursor) envelope(e *Envelope) bool {
	var seen uint32
	return c.object(func(k []byte) bool {
		var bit uint32
		ok := false
		switch string(k) {
		case "v":
			bit = 1 << 0
			e.V, ok = c.int()
		case "kind":
			bit = 1 << 1
			e.Kind, ok = c.str()
		case "node":
			bit = 1 << 2
			e.Node, ok = c.str()
		case "instance":
			bit = 1 << 3
			e.Instance, ok = c.str()
		case "seq":
			bit = 1 << 4
			e.Seq, ok = c.uint64()
		case "agent":
			bit = 1 << 5
			e.Agent, ok = c.str()
		case "gen":
			bit = 1 << 6
			e.Gen, ok = c.uint64()
		case "chunks":
			bit = 1 << 7
			e.Chunks, ok = c.int()
		case "digest":
			bit = 1 << 8
			e.Digest, ok = c.str()
		case "count":
			bit = 1 << 9
			e.Count, ok = c.int()
		case "index":
			bit = 1 << 10
			e.Index, ok = c.int()
		case "to":
			bit = 1 << 11
			e.To, ok = c.str()
		case "missing":
			bit = 1 << 12
			e.Missing, ok = c.ints()
		case "disks":
			bit = 1 << 13
			e.Disks, ok = c.disks()
		case "mount":
			bit = 1 << 14
			e.Mount, ok = c.mountBody()
		default:
			return c.unknown(k, envelopeNames)
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		return ok
	})
}

// fastEnvelopeFields are the envelope's fields the fast path reads, for
// the test that keeps it in step with Envelope.
var fastEnvelopeFields = []string{"v", "kind", "node", "instance", "seq", "agent", "gen", "chunks",
	"digest", "count", "index", "to", "missing", "disks", "mount"}

// disks reads an array of disks; [] is an empty slice.
func (c *cursor) disks() ([]messages.Disk, bool) {
	if !c.eat('[') {
		return nil, false
	}
	if c.eat(']') {
		return []messages.Disk{}, true
	}
	out := make([]messages.Disk, 0, 8) // a chunk of the usual disks holds about 6
	for {
		out = append(out, messages.Disk{})
		if !c.disk(&out[len(out)-1]) {
			return nil, false
		}
		if !c.eat(',') {
			return out, c.eat(']')
		}
	}
}

func (c *cursor) disk(d *messages.Disk) bool {
	var seen uint16
	return c.object(func(k []byte) bool {
		var bit uint16
		ok := false
		switch string(k) {
		case "uuid":
			bit = 1 << 0
			d.UUID, ok = c.str()
		case "label":
			bit = 1 << 1
			d.Label, ok = c.str()
		case "device":
			bit = 1 << 2
			d.Device, ok = c.str()
		case "type":
			bit = 1 << 3
			d.Type, ok = c.str()
		case "mounts":
			bit = 1 << 4
			d.Mounts, ok = c.mounts()
		// The fields of the embedded messages.Identity sit beside the
		// others, as encoding/json flattens them.
		case "size":
			bit = 1 << 5
			d.Size, ok = c.int64()
		case "disk":
			bit = 1 << 6
			d.WholeDisk, ok = c.str()
		case "model":
			bit = 1 << 7
			d.Model, ok = c.str()
		case "serial":
			bit = 1 << 8
			d.Serial, ok = c.str()
		case "wwn":
			bit = 1 << 9
			d.WWN, ok = c.str()
		case "transport":
			bit = 1 << 10
			d.Transport, ok = c.str()
		case "partuuid":
			bit = 1 << 11
			d.PartUUID, ok = c.str()
		case "removable":
			bit = 1 << 12
			d.Removable, ok = c.flag()
		case "rotational":
			bit = 1 << 13
			d.Rotational, ok = c.flag()
		default:
			return c.unknown(k, diskNames)
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		return ok
	})
}

var fastDiskFields = []string{"uuid", "label", "device", "type", "mounts",
	"size", "disk", "model", "serial", "wwn", "transport", "partuuid", "removable", "rotational"}

// flag reads a *bool that is set (null, which clears it, is left to the
// slow path). Each gets its own bool, as encoding/json allocates one.
func (c *cursor) flag() (*bool, bool) {
	v, ok := c.bool()
	if !ok {
		return nil, false
	}
	return &v, true
}

func (c *cursor) mounts() ([]messages.Mount, bool) {
	if !c.eat('[') {
		return nil, false
	}
	if c.eat(']') {
		return []messages.Mount{}, true
	}
	var out []messages.Mount
	for {
		out = append(out, messages.Mount{})
		if !c.mount(&out[len(out)-1]) {
			return nil, false
		}
		if !c.eat(',') {
			return out, c.eat(']')
		}
	}
}

func (c *cursor) mount(m *messages.Mount) bool {
	var seen uint8
	return c.object(func(k []byte) bool {
		var bit uint8
		ok := false
		switch string(k) {
		case "path":
			bit = 1 << 0
			m.Path, ok = c.str()
		case "fstype":
			bit = 1 << 1
			m.FSType, ok = c.str()
		case "ro":
			bit = 1 << 2
			m.ReadOnly, ok = c.bool()
		default:
			return c.unknown(k, mountNames)
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		return ok
	})
}

var fastMountFields = []string{"path", "fstype", "ro"}

// skip reads over one JSON value of any kind, checking its syntax as
// encoding/json does.
func (c *cursor) skip(depth int) bool {
	if depth > maxSkipDepth {
		return false
	}
	c.ws()
	if c.i >= len(c.b) {
		return false
	}
	switch ch := c.b[c.i]; {
	case ch == '"':
		_, ok := c.str()
		return ok
	case ch == '{':
		return c.object(func([]byte) bool { return c.skip(depth + 1) })
	case ch == '[':
		c.i++
		if c.eat(']') {
			return true
		}
		for {
			if !c.skip(depth + 1) {
				return false
			}
			if !c.eat(',') {
				return c.eat(']')
			}
		}
	case ch == 't' || ch == 'f':
		_, ok := c.bool()
		return ok
	case ch == '-' || ch >= '0' && ch <= '9':
		return c.number()
	}
	return false // null among them: rare, and the slow path's to judge
}

// number reads over a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (c *cursor) number() bool {
	if c.b[c.i] == '-' {
		c.i++
	}
	if c.i >= len(c.b) || c.b[c.i] < '0' || c.b[c.i] > '9' {
		return false
	}
	if c.b[c.i] == '0' {
		c.i++
	} else {
		c.run()
	}
	if c.i < len(c.b) && c.b[c.i] == '.' {
		c.i++
		if !c.run() {
			return false
		}
	}
	if c.i < len(c.b) && (c.b[c.i] == 'e' || c.b[c.i] == 'E') {
		c.i++
		if c.i < len(c.b) && (c.b[c.i] == '+' || c.b[c.i] == '-') {
			c.i++
		}
		if !c.run() {
			return false
		}
	}
	return true
}

// run reads over one or more digits.
func (c *cursor) run() bool {
	start := c.i
	for c.i < len(c.b) && c.b[c.i] >= '0' && c.b[c.i] <= '9' {
		c.i++
	}
	return c.i > start
}
