package identity

import (
	"sort"
	"strings"

	"github.com/diskd-actors/diskd-actors/messages"
)

// multiDevice lists the types whose one UUID names a set of devices (a
// RAID array's members, a multi-device btrfs or ZFS pool): the same UUID
// on several disks is what they are, not a clone.
var multiDevice = map[string]bool{
	"linux_raid_member": true, "isw_raid_member": true, "ddf_raid_member": true,
	"zfs_member": true, "btrfs": true,
}

// Duplicates finds, among disks present now, what should be unique and is
// not: one physical disk (WWN, else model and serial) on two or more nodes,
// and one filesystem UUID on two or more physical disks (a clone, on one
// node or several), except for the types that span disks (multiDevice). Disks without identity take no part: a UUID on two
// nodes without identity is Info's duplicate UUID. Sorted by kind and
// value; each duplicate's disks by node and device.
func Duplicates(disks []messages.NodeDisk) []messages.Duplicate {
	type group struct {
		value string
		disks []messages.NodeDisk
		keys  map[string]bool // nodes (hardware) or hardware ids (uuid)
	}
	hw, uuids := map[string]*group{}, map[string]*group{}
	add := func(m map[string]*group, key, value, distinct string, d messages.NodeDisk) {
		g := m[key]
		if g == nil {
			g = &group{value: value, keys: map[string]bool{}}
			m[key] = g
		}
		g.disks = append(g.disks, d)
		g.keys[distinct] = true
	}
	for _, d := range disks {
		id := d.HardwareID()
		if id == "" {
			continue
		}
		value := d.WWN
		if value == "" {
			value = d.Serial
		}
		add(hw, strings.ToLower(id), value, d.Node, d)
		if d.UUID != "" && !multiDevice[d.Type] {
			add(uuids, strings.ToLower(d.UUID), d.UUID, strings.ToLower(id), d)
		}
	}
	var out []messages.Duplicate
	for kind, m := range map[string]map[string]*group{messages.DupHardware: hw, messages.DupClonedUUID: uuids} {
		for _, g := range m {
			if len(g.keys) < 2 {
				continue
			}
			sort.Slice(g.disks, func(i, j int) bool {
				a, b := g.disks[i], g.disks[j]
				if a.Node != b.Node {
					return a.Node < b.Node
				}
				return a.Device < b.Device
			})
			var nodes []string
			for _, d := range g.disks {
				if len(nodes) == 0 || nodes[len(nodes)-1] != d.Node {
					nodes = append(nodes, d.Node)
				}
			}
			out = append(out, messages.Duplicate{Kind: kind, Value: g.value, Nodes: nodes, Disks: g.disks})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Value < out[j].Value
	})
	return out
}
