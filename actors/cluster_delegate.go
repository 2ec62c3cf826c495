package actors

import (
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/hashicorp/memberlist"

	"github.com/diskd-actors/diskd-actors/actors/cluster"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// maxClusterQueue bounds the payloads and node events waiting for
// ClusterServer; more are dropped as busy.
const maxClusterQueue = 4096

// clusterDelegate is memberlist's side of ClusterServer: memberlist calls
// it on its own goroutines, so it touches nothing of the actor. It decodes
// what arrives and hands it to the actor (bounded, counted), and answers
// memberlist from values the actor publishes (state, meta).
type clusterDelegate struct {
	d      *deps
	self   *actor.PID
	queued *atomic.Int64
	state  atomic.Pointer[[]byte] // the KindStates payload: ours and those we know; nil before our first inventory
	meta   []byte
	bq     *memberlist.TransmitLimitedQueue
	counts *clusterCounts
}

// clusterIn is a decoded payload for the actor.
type clusterIn struct {
	p     *cluster.Payload
	state bool // came by push/pull (LocalState of the remote)
}

// clusterEvent is a node event for the actor.
type clusterEvent struct{ e cluster.Event }

func (g *clusterDelegate) toActor(m any) {
	if g.queued.Load() >= maxClusterQueue {
		g.counts.dropped.Add(1)
		g.d.stats.drop(wire.DropBusy)
		return
	}
	g.queued.Add(1)
	g.d.root.Send(g.self, m)
}

func (g *clusterDelegate) decode(b []byte, state bool) {
	p, err := cluster.Decode(b)
	if err != nil {
		g.counts.dropped.Add(1)
		reason := wire.DropMalformed
		if de, ok := err.(*wire.DropError); ok {
			reason = de.Reason
		}
		g.d.stats.drop(reason)
		return
	}
	if state && p.Kind != cluster.KindStates {
		g.counts.dropped.Add(1)
		g.d.stats.drop(wire.DropKind)
		return
	}
	g.toActor(&clusterIn{p: p, state: state})
}

// NodeMeta implements memberlist.Delegate.
func (g *clusterDelegate) NodeMeta(limit int) []byte { return g.meta }

// NotifyMsg implements memberlist.Delegate: broadcasts and reliable
// messages. Decode copies what it keeps.
func (g *clusterDelegate) NotifyMsg(b []byte) { g.decode(b, false) }

// GetBroadcasts implements memberlist.Delegate.
func (g *clusterDelegate) GetBroadcasts(overhead, limit int) [][]byte {
	return g.bq.GetBroadcasts(overhead, limit)
}

// LocalState implements memberlist.Delegate: the generations and digests
// of every node we know, never the disks (they go on request).
func (g *clusterDelegate) LocalState(join bool) []byte {
	if s := g.state.Load(); s != nil {
		return *s
	}
	return nil
}

// MergeRemoteState implements memberlist.Delegate.
func (g *clusterDelegate) MergeRemoteState(b []byte, join bool) {
	if len(b) > 0 {
		g.decode(b, true)
	}
}

func (g *clusterDelegate) event(n *memberlist.Node, join, leave bool) {
	e := cluster.Event{Join: join, Leave: leave, Name: n.Name, Addr: n.Address(),
		Meta: append([]byte(nil), n.Meta...), State: n.State}
	g.toActor(&clusterEvent{e: e})
}

// NotifyJoin implements memberlist.EventDelegate.
func (g *clusterDelegate) NotifyJoin(n *memberlist.Node) { g.event(n, true, false) }

// NotifyLeave implements memberlist.EventDelegate.
func (g *clusterDelegate) NotifyLeave(n *memberlist.Node) { g.event(n, false, true) }

// NotifyUpdate implements memberlist.EventDelegate.
func (g *clusterDelegate) NotifyUpdate(n *memberlist.Node) { g.event(n, false, false) }

// stateBroadcast is a node's KindState in the broadcast queue: a newer one
// of the same node replaces it. Daemons pass on states they learn, so a
// change spreads epidemically rather than only from its origin.
type stateBroadcast struct {
	node string
	msg  []byte
}

func (b *stateBroadcast) Invalidates(o memberlist.Broadcast) bool {
	x, ok := o.(*stateBroadcast)
	return ok && x.node == b.node
}
func (b *stateBroadcast) Message() []byte { return b.msg }
func (b *stateBroadcast) Finished()       {}

// clusterCounts outlive restarts of ClusterServer, so status never goes
// back.
type clusterCounts struct {
	joinTries, requests, answered, received, unchanged, dropped, sendsBusy atomic.Uint64
	broadcastsPruned                                                       atomic.Uint64
	joined                                                                 atomic.Bool
	traffic                                                                cluster.Traffic
	keyring                                                                atomic.Pointer[memberlist.Keyring] // the current instance's; nil without keys
}
