package actors

import "github.com/diskd-actors/diskd-actors/messages"

// inventoryView answers GetInventoryView: the local disk list and each live
// peer's, shared, not copied (see messages.InventoryView). It costs one
// entry per node and the sort of the peer names, whatever they hold.
func (a *Info) inventoryView() *messages.InventoryView {
	v := &messages.InventoryView{Nodes: make([]messages.NodeDisks, 0, 1+len(a.st.peers))}
	v.Nodes = append(v.Nodes, messages.NodeDisks{Node: a.id.Node, Local: true, Disks: a.st.local})
	v.Disks = len(a.st.local)
	now := a.now()
	for _, name := range a.peerNames() {
		p := a.st.peers[name]
		if a.stateOf(p, now) == messages.PeerDown || len(p.disks) == 0 {
			continue
		}
		v.Nodes = append(v.Nodes, messages.NodeDisks{Node: name, Disks: p.disks})
		v.Disks += len(p.disks)
	}
	return v
}
