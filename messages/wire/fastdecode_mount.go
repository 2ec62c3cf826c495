package wire

import "reflect"

// The fast path's reader of MountBody (fastdecode.go), held to
// encoding/json's verdict by the same tests and fuzz target.

var mountBodyNames = jsonNames(reflect.TypeFor[MountBody]())

// fastMountBodyFields are the MountBody fields the fast path reads.
var fastMountBodyFields = []string{"id", "at", "action", "disk", "options", "result", "point", "reason"}

func (c *cursor) mountBody() (*MountBody, bool) {
	m := &MountBody{}
	var seen uint8
	ok := c.object(func(k []byte) bool {
		var bit uint8
		ok := false
		switch string(k) {
		case "id":
			bit = 1 << 0
			m.ID, ok = c.str()
		case "at":
			bit = 1 << 1
			var n int
			n, ok = c.int()
			m.At = int64(n)
		case "action":
			bit = 1 << 2
			m.Action, ok = c.str()
		case "disk":
			bit = 1 << 3
			m.Disk, ok = c.str()
		case "options":
			bit = 1 << 4
			m.Options, ok = c.strs()
		case "result":
			bit = 1 << 5
			m.Result, ok = c.str()
		case "point":
			bit = 1 << 6
			m.Point, ok = c.str()
		case "reason":
			bit = 1 << 7
			m.Reason, ok = c.str()
		default:
			return c.unknown(k, mountBodyNames)
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		return ok
	})
	return m, ok
}

// strs reads an array of strings; [] is an empty slice.
func (c *cursor) strs() ([]string, bool) {
	if !c.eat('[') {
		return nil, false
	}
	out := []string{}
	if c.eat(']') {
		return out, true
	}
	for {
		c.ws()
		s, ok := c.str()
		if !ok {
			return nil, false
		}
		out = append(out, s)
		if !c.eat(',') {
			return out, c.eat(']')
		}
	}
}
