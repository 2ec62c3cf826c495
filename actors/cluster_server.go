package actors

import (
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/hashicorp/memberlist"

	"github.com/diskd-actors/diskd-actors/actors/cluster"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// ClusterServer is the second transport: a memberlist cluster over
// unicast, for networks without multicast. Info hears from it exactly as
// from MulticastServer (PeerAnnounced, PeerLeft) plus PeerFailed, so a
// node heard on both transports is one peer.
//
// Inventories: our state (node, instance, generation, digest, count) is
// memberlist's push/pull state and, on every change, a broadcast; a daemon
// that does not hold that generation asks for the inventory by a reliable
// (TCP) message and gets it the same way. An unchanged inventory costs a
// few dozen bytes per push/pull. Membership: memberlist's join and update
// events are heard (and alive members are heard every tick), a leave the
// node announced is a goodbye, a leave by the failure detector is
// PeerFailed.
//
// It owns the memberlist instance (created in Started, left and shut down
// in Stopping, shut down in Restarting) and the join and send goroutines.
type ClusterServer struct {
	d      *deps
	log    *slog.Logger
	counts *clusterCounts
	mlMu   sync.Mutex
	ml     *memberlist.Memberlist
	kr     *memberlist.Keyring
	del    *clusterDelegate
	tick   *ticker
	stop   chan struct{} // closed by release: ends the join loop
	wg     sync.WaitGroup
	sends  chan struct{} // reliable sends in flight
	queued *atomic.Int64

	have   bool
	gen    uint64
	digest string
	disks  []messages.Disk

	members map[string]clusterMember   // live members by name, not us
	states  map[string]cluster.Payload // the newest state heard of each node
	held    map[string]heldInventory   // the generation delivered to Info
	asked   map[string]time.Time       // node → when its inventory was last asked

	statesChanged bool // the push/pull state needs encoding again
}

type clusterMember struct {
	meta cluster.Meta
	addr string
}

type heldInventory struct {
	instance string
	gen      uint64
}

// Timing and bounds of the cluster transport.
const (
	clusterTick          = time.Second
	clusterAskAgain      = 5 * time.Second // an unanswered request is repeated after
	clusterLeave         = 2 * time.Second // how long Stopping waits for the leave to spread
	clusterGoodbyeWait   = time.Second     // and for the goodbye's broadcast before
	clusterMaxSends      = 8               // reliable sends in flight
	maxClusterBroadcasts = 1024            // states waiting in the broadcast queue
	clusterJoinFirst     = 500 * time.Millisecond
	clusterJoinMax       = 30 * time.Second
)

// clusterTickMsg drives heartbeats, repeated requests and status.
type clusterTickMsg struct{}

func newClusterProps(d *deps) *actor.Props {
	if !d.cfg.Cluster.Enabled {
		return nil
	}
	d.cluster = &clusterCounts{}
	return actor.PropsFromProducer(func() actor.Actor {
		return &ClusterServer{d: d, log: d.log.With("actor", "cluster"), counts: d.cluster}
	}, actor.WithReceiverMiddleware(logPanics(d.log)))
}

// Receive handles one message.
func (a *ClusterServer) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		a.start(c)
	case *actor.Restarting:
		a.release(false)
	case *actor.Stopping:
		a.release(true)
	case *clusterIn:
		a.queued.Add(-1)
		a.received(m.p)
	case *clusterEvent:
		a.queued.Add(-1)
		a.nodeEvent(m.e)
	case *clusterTickMsg:
		a.tickDue()
	case *messages.LocalDisks:
		if m.Ready {
			a.setInventory(m.Disks)
		}
	case *messages.LocalDisksChanged:
		a.setInventory(m.Disks)
	case *messages.ApplySettings:
		if err := cluster.Rekey(a.kr, m.Settings.Keys); err != nil {
			a.log.Error("cluster keys not changed", "error", err)
		}
		applied(c, "cluster")
	case *messages.CheckHealth:
		c.Respond(&messages.Healthy{Part: "cluster"})
	}
}

func (a *ClusterServer) start(c actor.Context) {
	a.members, a.states = map[string]clusterMember{}, map[string]cluster.Payload{}
	a.held, a.asked = map[string]heldInventory{}, map[string]time.Time{}
	a.sends, a.stop, a.queued = make(chan struct{}, clusterMaxSends), make(chan struct{}), &atomic.Int64{}
	cfg := a.d.cfg.Cluster
	mc, err := cluster.NewConfig(a.d.id.Node, cfg)
	if err != nil {
		panic(err.Error())
	}
	meta, err := cluster.EncodeMeta(cluster.Meta{Instance: a.d.id.Instance, Agent: agent(a.d.id.Version)}, memberlist.MetaMaxSize)
	if err != nil {
		panic(err.Error())
	}
	// Keys of the start; a restart after a reload has the reload's keys
	// through ApplySettings, which re-keys (askSettings).
	if a.kr, err = cluster.NewKeyring(a.d.settings.Keys); err != nil {
		panic(fmt.Sprintf("cluster keyring: %v", err))
	}
	a.counts.keyring.Store(a.kr)
	a.del = &clusterDelegate{d: a.d, self: c.Self(), queued: a.queued, meta: meta, counts: a.counts}
	a.del.bq = &memberlist.TransmitLimitedQueue{RetransmitMult: mc.RetransmitMult, NumNodes: func() int {
		if ml := a.mlOf(); ml != nil {
			return ml.NumMembers()
		}
		return 1
	}}
	mc.Delegate, mc.Events, mc.Keyring = a.del, a.del, a.kr
	mc.Logger = slog.NewLogLogger(a.log.Handler(), slog.LevelDebug)
	if mc.Transport, err = cluster.NewCountingTransport(mc.BindAddr, mc.BindPort, mc.Logger, &a.counts.traffic); err != nil {
		panic(fmt.Sprintf("cluster: %v", err))
	}
	ml, err := memberlist.Create(mc)
	if err != nil {
		mc.Transport.Shutdown()
		panic(fmt.Sprintf("cluster: %v", err))
	}
	a.setML(ml)
	a.log.Info("cluster transport up", "bind", cfg.Bind, "advertise", a.advertise(), "profile", cfg.Profile,
		"encrypted", a.kr != nil, "label", cfg.Label, "seeds", len(cfg.Join))
	if len(cfg.Join) > 0 {
		a.wg.Add(1)
		go a.joinLoop(ml, append([]string(nil), cfg.Join...), a.stop)
	} else {
		a.counts.joined.Store(true)
	}
	a.publish()
	askSettings(c)
	a.tick = newTicker(a.d.root, c.Self(), clusterTick, clusterTick, &clusterTickMsg{})
	c.Request(a.d.pids.info, &messages.GetLocalDisks{})
}

// setML and mlOf guard ml for the broadcast queue's NumNodes, which
// memberlist calls on its goroutines.
func (a *ClusterServer) setML(ml *memberlist.Memberlist) { a.mlMu.Lock(); a.ml = ml; a.mlMu.Unlock() }
func (a *ClusterServer) mlOf() *memberlist.Memberlist {
	a.mlMu.Lock()
	defer a.mlMu.Unlock()
	return a.ml
}

func (a *ClusterServer) advertise() string {
	n := a.ml.LocalNode()
	return net.JoinHostPort(n.Addr.String(), strconv.Itoa(int(n.Port)))
}

// joinLoop tries the seeds with back-off until one answers or the actor
// stops.
func (a *ClusterServer) joinLoop(ml *memberlist.Memberlist, seeds []string, stop <-chan struct{}) {
	defer a.wg.Done()
	delay := clusterJoinFirst
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-stop: // not a.stop: release sets it to nil
			return
		case <-t.C:
		}
		a.counts.joinTries.Add(1)
		n, err := ml.Join(seeds)
		if n > 0 {
			a.counts.joined.Store(true)
			a.log.Info("cluster joined", "seeds_answering", n)
			return
		}
		if a.counts.joinTries.Load() == 1 || delay == clusterJoinMax {
			a.log.Warn("no cluster seed answers; trying again", "seeds", seeds, "error", err, "next_in", delay)
		}
		t.Reset(delay)
		delay = min(delay*2, clusterJoinMax)
	}
}

func (a *ClusterServer) release(leave bool) {
	if a.tick != nil {
		a.tick.stop()
	}
	if a.stop != nil {
		close(a.stop)
		a.stop = nil
	}
	if ml := a.mlOf(); ml != nil {
		if leave {
			a.goodbye()
			if err := ml.Leave(clusterLeave); err != nil {
				a.log.Warn("cluster leave", "error", err)
			}
		}
		if err := ml.Shutdown(); err != nil {
			a.log.Warn("cluster shutdown", "error", err)
		}
	}
	a.wg.Wait()
	a.setML(nil) // status keeps the last instance's figures until the next one publishes
}

// setInventory makes a new generation of a changed local inventory and
// spreads its state.
func (a *ClusterServer) setInventory(disks []messages.Disk) {
	digest := wire.Digest(disks)
	if a.have && digest == a.digest {
		return
	}
	a.have, a.disks, a.digest, a.gen = true, disks, digest, a.d.gen.Add(1)
	b, err := cluster.Encode(a.ownState())
	if err != nil {
		a.log.Error("cluster state not encoded", "error", err)
		return
	}
	a.broadcast(&stateBroadcast{node: a.d.id.Node, msg: b})
	a.tellDirectly(b)
	a.statesChanged = true
	a.publishStates()
}

// clusterDirect is how many members hear our new state at once, by one
// UDP packet each, besides the broadcast: in a small cluster everyone
// (a change is visible in milliseconds, not gossip rounds); in a large one
// the broadcast and the members told pass it on.
const clusterDirect = 32

// tellDirectly sends a new state of ours straight to up to clusterDirect
// members (map order: an arbitrary subset).
func (a *ClusterServer) tellDirectly(b []byte) {
	if a.ml == nil {
		return
	}
	n := 0
	for name, m := range a.members {
		if n == clusterDirect {
			return
		}
		host, port, err := net.SplitHostPort(m.addr)
		if err != nil {
			continue
		}
		pn, _ := strconv.Atoi(port)
		if err := a.ml.SendBestEffort(&memberlist.Node{Name: name, Addr: net.ParseIP(host), Port: uint16(pn)}, b); err != nil {
			a.log.Debug("cluster state not sent", "to", name, "error", err)
		}
		n++
	}
}

func (a *ClusterServer) ownState() *cluster.Payload {
	return &cluster.Payload{Kind: cluster.KindState, Node: a.d.id.Node, Instance: a.d.id.Instance,
		Agent: agent(a.d.id.Version), Gen: a.gen, Digest: a.digest, Count: len(a.disks)}
}

// goodbye broadcasts that this daemon stops, and gives the broadcast a
// moment to go out (it rides on the next gossip rounds, one every
// GossipInterval) before memberlist's Leave.
func (a *ClusterServer) goodbye() {
	b, err := cluster.Encode(&cluster.Payload{Kind: cluster.KindGoodbye, Node: a.d.id.Node, Instance: a.d.id.Instance})
	if err != nil || len(a.members) == 0 {
		return
	}
	a.broadcast(&stateBroadcast{node: a.d.id.Node, msg: b})
	deadline := time.Now().Add(clusterGoodbyeWait)
	for a.del.bq.NumQueued() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // Stopping: nothing else to handle
	}
}
