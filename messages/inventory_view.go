package messages

// GetInventoryView asks Info for every disk present now, as a view that
// shares Info's own disk lists instead of copying them; answered by
// InventoryView. It serves answers that are written as they are rendered
// ("list"): Info's work is one entry per node, not per disk.
type GetInventoryView struct{}

// InventoryView is a consistent snapshot of the disks present now, in
// inventory order (local disks first, then live peers by node name). Its
// lists are Info's own: Info never writes to a disk list once it holds it
// (a change replaces the list), so the view stays true to the moment it was
// taken and may be read from any goroutine. Readers must not modify it.
type InventoryView struct {
	Nodes []NodeDisks
	Disks int // disks in all Nodes
}

// NodeDisks are one node's disks in a view.
type NodeDisks struct {
	Node  string
	Local bool
	Disks []Disk
}

// Each calls f for every disk of the view, in order, until f returns false.
func (v *InventoryView) Each(f func(NodeDisk) bool) {
	for _, n := range v.Nodes {
		for _, d := range n.Disks {
			if !f(NodeDisk{Node: n.Node, Local: n.Local, Disk: d}) {
				return
			}
		}
	}
}
