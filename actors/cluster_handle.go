package actors

import (
	"net"
	"strconv"

	"github.com/hashicorp/memberlist"

	"github.com/diskd-actors/diskd-actors/actors/cluster"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// received handles a decoded payload.
func (a *ClusterServer) received(p *cluster.Payload) {
	if p.Node == a.d.id.Node {
		if p.Instance != a.d.id.Instance {
			a.log.Warn("another daemon in the cluster uses our node name", "instance", p.Instance)
		}
		return
	}
	switch p.Kind {
	case cluster.KindState:
		a.heardState(*p, true)
	case cluster.KindStates:
		// Only members': a state of a node that failed, still carried
		// by another's push/pull, must not come back to life here.
		for _, st := range p.States {
			if _, member := a.members[st.Node]; member {
				a.heardState(st, false)
			}
		}
	case cluster.KindRequest:
		if p.To != a.d.id.Node || !a.have {
			return
		}
		a.counts.answered.Add(1)
		inv := a.ownState()
		inv.Kind, inv.Disks = cluster.KindInventory, a.disks
		a.sendTo(p.Node, inv)
	case cluster.KindGoodbye:
		// Info ignores a goodbye of another instance or a second one.
		a.toInfo(&messages.PeerLeft{Node: p.Node, Instance: p.Instance, At: a.d.now()})
		if m, ok := a.members[p.Node]; ok && m.meta.Instance == p.Instance {
			if b, err := cluster.Encode(p); err == nil {
				a.broadcast(&stateBroadcast{node: p.Node, msg: b})
			}
			a.forget(p.Node)
		}
	case cluster.KindInventory:
		if h, ok := a.held[p.Node]; ok && h.instance == p.Instance && h.gen >= p.Gen {
			a.counts.unchanged.Add(1)
			return
		}
		if len(a.held) >= a.d.cfg.Limits.MaxPeers {
			if _, ok := a.held[p.Node]; !ok {
				a.d.stats.drop(wire.DropPeerLimit)
				return
			}
		}
		a.counts.received.Add(1)
		a.held[p.Node] = heldInventory{instance: p.Instance, gen: p.Gen}
		delete(a.asked, p.Node)
		a.toInfo(&messages.PeerAnnounced{Node: p.Node, Instance: p.Instance, Addr: a.members[p.Node].addr,
			Agent: p.Agent, Full: true, Gen: p.Gen, Disks: p.Disks, At: a.d.now(), Transport: messages.TransportCluster})
	}
}

// heardState records a node's state, asks for its inventory when it is
// news, and passes a broadcast state on (push/pull needs no passing on:
// it is the anti-entropy itself).
func (a *ClusterServer) heardState(p cluster.Payload, pass bool) {
	old, known := a.states[p.Node]
	if known && old.Instance == p.Instance && old.Gen >= p.Gen {
		a.counts.unchanged.Add(1)
		return
	}
	if !known && len(a.states) >= a.d.cfg.Limits.MaxPeers {
		a.d.stats.drop(wire.DropPeerLimit)
		return
	}
	a.states[p.Node] = p
	a.statesChanged = true
	if b, err := cluster.Encode(&p); err == nil && pass {
		a.broadcast(&stateBroadcast{node: p.Node, msg: b})
	}
	a.askIfNew(p.Node)
}

// askIfNew requests the inventory of node when the state heard names a
// generation Info does not hold from us, unless asked recently.
func (a *ClusterServer) askIfNew(node string) {
	p, ok := a.states[node]
	if !ok {
		return
	}
	if h, ok := a.held[node]; ok && h.instance == p.Instance && h.gen >= p.Gen {
		return
	}
	if at, ok := a.asked[node]; ok && a.d.now().Sub(at) < clusterAskAgain {
		return
	}
	if _, ok := a.members[node]; !ok {
		return // asked once its join is heard
	}
	a.asked[node] = a.d.now()
	a.counts.requests.Add(1)
	a.sendTo(node, &cluster.Payload{Kind: cluster.KindRequest, Node: a.d.id.Node, Instance: a.d.id.Instance, To: node})
}

// sendTo sends p reliably to a member, on a goroutine (a TCP connection
// can take memberlist's TCP timeout); at most clusterMaxSends at once.
func (a *ClusterServer) sendTo(node string, p *cluster.Payload) {
	m, ok := a.members[node]
	if !ok {
		return
	}
	host, port, err := net.SplitHostPort(m.addr)
	if err != nil {
		return
	}
	pn, _ := strconv.Atoi(port)
	b, err := cluster.Encode(p)
	if err != nil {
		a.log.Error("cluster payload not encoded", "kind", p.Kind, "error", err)
		return
	}
	select {
	case a.sends <- struct{}{}:
	default:
		a.counts.sendsBusy.Add(1)
		return
	}
	to := &memberlist.Node{Name: node, Addr: net.ParseIP(host), Port: uint16(pn)}
	ml := a.ml
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		defer func() { <-a.sends }()
		if err := ml.SendReliable(to, b); err != nil {
			a.log.Debug("cluster send failed", "to", node, "kind", p.Kind, "error", err)
		}
	}()
}

// nodeEvent maps a memberlist node event onto Info's view.
func (a *ClusterServer) nodeEvent(e cluster.Event) {
	if e.Name == a.d.id.Node {
		return
	}
	switch cluster.Classify(e) {
	case cluster.Alive:
		meta, err := cluster.DecodeMeta(e.Meta)
		if err != nil {
			a.counts.dropped.Add(1)
			a.d.stats.drop(wire.DropInvalid)
			return
		}
		if _, ok := a.members[e.Name]; !ok && len(a.members) >= a.d.cfg.Limits.MaxPeers {
			a.d.stats.drop(wire.DropPeerLimit)
			return
		}
		if old, ok := a.members[e.Name]; ok && old.meta.Instance != meta.Instance {
			delete(a.held, e.Name)
		}
		_, known := a.members[e.Name]
		a.members[e.Name] = clusterMember{meta: meta, addr: e.Addr}
		if !known && len(a.members) <= clusterGreetUpTo {
			a.greet(e.Name)
		}
		a.heartbeat(e.Name)
		a.askIfNew(e.Name)
	case cluster.Left:
		if m, ok := a.members[e.Name]; ok {
			a.toInfo(&messages.PeerLeft{Node: e.Name, Instance: m.meta.Instance, At: a.d.now()})
		}
		a.forget(e.Name)
	case cluster.Down:
		if m, ok := a.members[e.Name]; ok {
			a.log.Info("cluster member failed", "node", e.Name, "address", e.Addr)
			a.toInfo(&messages.PeerFailed{Node: e.Name, Instance: m.meta.Instance, At: a.d.now()})
		}
		a.forget(e.Name)
	}
}

func (a *ClusterServer) forget(node string) {
	if _, ok := a.states[node]; ok {
		a.statesChanged = true
	}
	delete(a.members, node)
	delete(a.states, node)
	delete(a.held, node)
	delete(a.asked, node)
}

// heartbeat tells Info a member is alive (its disks stay as they were).
func (a *ClusterServer) heartbeat(node string) {
	m := a.members[node]
	a.toInfo(&messages.PeerAnnounced{Node: node, Instance: m.meta.Instance, Addr: m.addr, Agent: m.meta.Agent,
		At: a.d.now(), Transport: messages.TransportCluster})
}

// tickDue hears every live member and repeats unanswered requests.
func (a *ClusterServer) tickDue() {
	for node := range a.members {
		a.heartbeat(node)
		a.askIfNew(node)
	}
	a.publishStates()
}

// broadcast queues b, keeping the queue bounded: the oldest broadcasts
// beyond maxClusterBroadcasts are dropped (and counted).
func (a *ClusterServer) broadcast(b *stateBroadcast) {
	a.del.bq.QueueBroadcast(b)
	if n := a.del.bq.NumQueued(); n > maxClusterBroadcasts {
		a.counts.broadcastsPruned.Add(uint64(n - maxClusterBroadcasts))
		a.del.bq.Prune(maxClusterBroadcasts)
	}
}

// publishStates re-encodes the push/pull state when a state changed
// (at most once a tick).
func (a *ClusterServer) publishStates() {
	if !a.statesChanged || !a.have {
		return
	}
	a.statesChanged = false
	all := &cluster.Payload{Kind: cluster.KindStates, Node: a.d.id.Node, Instance: a.d.id.Instance,
		States: make([]cluster.Payload, 0, len(a.states)+1)}
	all.States = append(all.States, *a.ownState())
	for _, st := range a.states {
		all.States = append(all.States, st)
	}
	b, err := cluster.Encode(all)
	if err != nil {
		a.log.Error("cluster push/pull state not encoded", "error", err)
		return
	}
	a.del.state.Store(&b)
}

// publish makes status read the cluster's figures when it is asked: all
// of them are safe to read from Info's goroutine (atomics, and memberlist
// methods that lock), so they are never stale.
func (a *ClusterServer) publish() {
	ml, del, counts, kr, label, queued := a.ml, a.del, a.counts, a.kr, a.d.cfg.Cluster.Label, a.queued
	if ml == nil {
		return
	}
	f := func() *messages.ClusterStatus {
		n := ml.LocalNode()
		return &messages.ClusterStatus{
			Members: ml.NumMembers(), Joined: counts.joined.Load(), JoinTries: counts.joinTries.Load(),
			Encrypted: kr != nil, Label: label, Advertise: net.JoinHostPort(n.Addr.String(), strconv.Itoa(int(n.Port))),
			Queued: queued.Load(), Broadcasts: del.bq.NumQueued(), Pruned: counts.broadcastsPruned.Load(),
			Requests: counts.requests.Load(), Answered: counts.answered.Load(), Received: counts.received.Load(),
			Unchanged: counts.unchanged.Load(), Dropped: counts.dropped.Load(), SendsBusy: counts.sendsBusy.Load(),
			PacketsOut: counts.traffic.PacketsOut.Load(), BytesOut: counts.traffic.BytesOut(),
			PacketsIn: counts.traffic.PacketsIn.Load(), BytesIn: counts.traffic.BytesIn(),
		}
	}
	a.d.stats.cluster.Store(&f)
}

// toInfo hands news to Info unless too much is already waiting for it.
func (a *ClusterServer) toInfo(m any) {
	if a.d.stats.infoQueue.Load() >= maxInfoQueue {
		a.d.stats.drop(wire.DropBusy)
		return
	}
	a.d.stats.infoQueue.Add(1)
	a.d.root.Send(a.d.pids.info, m)
}

// clusterGreetUpTo: in a cluster up to this size, every member sends a
// newcomer its state at once (one UDP packet), so that daemons started
// together need not wait for a push/pull round to learn each other's
// generations; larger clusters rely on push/pull and the broadcasts.
const clusterGreetUpTo = 128

// greet sends our state to a member that just joined.
func (a *ClusterServer) greet(node string) {
	if !a.have || a.ml == nil {
		return
	}
	b, err := cluster.Encode(a.ownState())
	if err != nil {
		return
	}
	m := a.members[node]
	host, port, err := net.SplitHostPort(m.addr)
	if err != nil {
		return
	}
	pn, _ := strconv.Atoi(port)
	if err := a.ml.SendBestEffort(&memberlist.Node{Name: node, Addr: net.ParseIP(host), Port: uint16(pn)}, b); err != nil {
		a.log.Debug("cluster state not sent", "to", node, "error", err)
	}
}
