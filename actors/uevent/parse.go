package uevent

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Bounds on one event: the kernel builds them in a 2 KiB buffer
// (UEVENT_BUFFER_SIZE) with at most 64 variables (UEVENT_NUM_ENVP).
const (
	MaxEvent = 8 << 10
	maxVars  = 64
)

// ErrNotKernel is a datagram that is not a kernel event: udevd's own
// re-broadcasts start with "libudev" and a binary header.
var ErrNotKernel = errors.New("uevent: not a kernel event")

// Event is one kernel device event.
type Event struct {
	Action    string // add, remove, change, move, online, offline, bind, unbind
	DevPath   string // the device's path under /sys, e.g. /devices/virtual/block/loop0
	Subsystem string // block, usb, net, ...
	DevName   string // the node under /dev, e.g. loop0 (block and char devices)
	DevType   string // disk or partition for block devices
	Seq       uint64 // SEQNUM, the kernel's event counter
}

// Parse decodes one datagram of the kernel's uevent multicast group:
// "ACTION@DEVPATH", then NUL-separated KEY=VALUE variables. The header and
// the ACTION and DEVPATH variables must agree.
func Parse(b []byte) (Event, error) {
	if len(b) > MaxEvent {
		return Event{}, fmt.Errorf("uevent: %d bytes, limit %d", len(b), MaxEvent)
	}
	if bytes.HasPrefix(b, []byte("libudev\x00")) {
		return Event{}, ErrNotKernel
	}
	if !utf8.Valid(b) {
		return Event{}, errors.New("uevent: not valid UTF-8")
	}
	fields := bytes.Split(bytes.TrimRight(b, "\x00"), []byte{0})
	action, devpath, ok := bytes.Cut(fields[0], []byte("@"))
	if !ok || len(action) == 0 || len(devpath) == 0 || devpath[0] != '/' {
		return Event{}, fmt.Errorf("uevent: header %.64q: want ACTION@/DEVPATH", fields[0])
	}
	if len(fields)-1 > maxVars {
		return Event{}, fmt.Errorf("uevent: %d variables, limit %d", len(fields)-1, maxVars)
	}
	e := Event{Action: string(action), DevPath: string(devpath)}
	seen := map[string]bool{}
	for _, f := range fields[1:] {
		k, v, ok := bytes.Cut(f, []byte("="))
		if !ok || len(k) == 0 {
			return Event{}, fmt.Errorf("uevent: variable %.64q: want KEY=VALUE", f)
		}
		key := string(k)
		if seen[key] {
			return Event{}, fmt.Errorf("uevent: %s given twice", key)
		}
		seen[key] = true
		switch key {
		case "ACTION":
			if string(v) != e.Action {
				return Event{}, fmt.Errorf("uevent: ACTION %.32q, header says %.32q", v, e.Action)
			}
		case "DEVPATH":
			if string(v) != e.DevPath {
				return Event{}, fmt.Errorf("uevent: DEVPATH %.64q, header says %.64q", v, e.DevPath)
			}
		case "SUBSYSTEM":
			e.Subsystem = string(v)
		case "DEVNAME":
			e.DevName = string(v)
		case "DEVTYPE":
			e.DevType = string(v)
		case "SEQNUM":
			n, err := strconv.ParseUint(string(v), 10, 64)
			if err != nil {
				return Event{}, fmt.Errorf("uevent: SEQNUM %.32q: want a number", v)
			}
			e.Seq = n
		}
	}
	if !seen["ACTION"] || !seen["DEVPATH"] || !seen["SUBSYSTEM"] {
		return Event{}, errors.New("uevent: want ACTION, DEVPATH and SUBSYSTEM")
	}
	return e, nil
}

// BlockChange reports whether the event may change what blkid finds: a
// block device added, removed or changed (a loop device attached or
// detached, a medium inserted, a partition table re-read).
func (e Event) BlockChange() bool {
	if e.Subsystem != "block" {
		return false
	}
	switch e.Action {
	case "add", "remove", "change", "move":
		return true
	}
	return false
}
