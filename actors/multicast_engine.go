package actors

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/actors/gossip"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// received passes a decoded datagram to the engine and performs what it
// says.
func (a *MulticastServer) received(c actor.Context, m *datagramIn) {
	now := a.d.now()
	if m.env != nil {
		a.perform(c, a.eng.Receive(now, m.src, m.env))
		a.armRepair(c)
	} else {
		a.perform(c, a.eng.ReceiveLegacy(now, m.src, m.legacy))
	}
}

// seed gives the engine the generations Info holds (the answer to the
// GetPeerGenerations of start).
func (a *MulticastServer) seed(c actor.Context, m *messages.PeerGenerations) {
	peers := make([]gossip.PeerGen, 0, len(m.Peers))
	for _, p := range m.Peers {
		peers = append(peers, gossip.PeerGen{Node: p.Node, Instance: p.Instance, Gen: p.Gen})
	}
	a.perform(c, a.eng.Seed(a.d.now(), peers))
	a.armRepair(c)
}

// perform carries out the engine's actions, in order.
func (a *MulticastServer) perform(c actor.Context, acts []gossip.Action) {
	for _, act := range acts {
		switch x := act.(type) {
		case gossip.Deliver:
			gen := x.Gen
			if x.Legacy {
				gen = a.d.seq.Add(1) // never goes back, across restarts
			}
			a.toInfo(&messages.PeerAnnounced{Node: x.Node, Instance: x.Instance, Addr: x.Addr, Seq: x.Seq,
				Agent: x.Agent, Full: x.Full, Gen: gen, Legacy: x.Legacy, Disks: x.Disks, At: a.d.now()})
		case gossip.Left:
			a.toInfo(&messages.PeerLeft{Node: x.Node, Instance: x.Instance, Seq: x.Seq, At: a.d.now()})
		case gossip.Request:
			a.send(&wire.Envelope{Kind: wire.KindRequest, To: x.To, Gen: x.Gen, Missing: x.Missing})
		case gossip.Resend:
			for _, i := range x.Chunks {
				if a.have && a.pace.live && i < len(a.parts) {
					a.sendChunk(i)
				}
			}
		case gossip.Announce:
			if a.have {
				a.announce()
			}
		case gossip.AnnounceSoon:
			a.announceSoon(c)
		case gossip.Drop:
			if x.Quiet {
				a.d.stats.drop(x.Reason)
			} else {
				dropped(a.d, a.drops, a.events, x.Reason, x.Src, x.Detail)
			}
		case gossip.NodeClash:
			a.drops.warn("another daemon announces under our node name", "instance", x.Instance, "from", x.Addr)
			if a.d.stats.subscribers.Load() > 0 && a.events.take() {
				c.Send(a.d.pids.info, &messages.NodeClash{Instance: x.Instance, Addr: x.Addr})
			}
		case gossip.Own:
			a.d.stats.ownIn.Add(1)
		case gossip.MountIn:
			a.mountArrived(c, x.Src, x.Env)
		}
	}
}

// toInfo hands news to Info unless too much is already waiting for it.
func (a *MulticastServer) toInfo(m any) {
	if a.d.stats.infoQueue.Load() >= maxInfoQueue {
		a.d.stats.drop(wire.DropBusy)
		return
	}
	a.d.stats.infoQueue.Add(1)
	a.d.root.Send(a.d.pids.info, m)
}

// publish puts the engine's table sizes where status reads them.
func (a *MulticastServer) publish() {
	s := a.eng.Stats()
	sock := a.socketStats()
	a.d.stats.setGossip(messages.GossipStatus{
		ReaderPauses: a.queued.pauses.Load(), ReaderBatches: a.queued.batches.Load(), ReceiveBuffer: sock.Buffer, SocketDrops: sock.Drops,
		FilterSources: int(a.d.stats.filterSources.Load()), FilterRefused: a.d.stats.filterRefused.Load(),
		Queued: a.queued.Load(), Sources: s.Sources, ReplayWindows: s.Windows, KnownGenerations: s.Known,
		Assemblies: s.Assemblies, InFlightDisks: s.InFlightDisks, InFlightBytes: s.InFlightBytes,
		MaxInFlightDisks: a.maxInFlightDisks(), MaxInFlightBytes: gossip.DefaultMaxInFlightBytes,
		Evicted:           s.SourcesEvicted + s.ModernEvicted + s.WindowsEvicted + s.KnownEvicted + s.AssembliesEvicted,
		AssembliesExpired: s.AssembliesExpired, Seeded: s.Seeded,
		Repair: messages.RepairStatus{Scheduled: s.Repair.Scheduled, Sent: s.Repair.Sent, Suppressed: s.Repair.Suppressed,
			Postponed: s.Repair.Postponed, Answered: s.Repair.Answered, Resent: s.Repair.Resent,
			Duplicate: s.Repair.Duplicate, Stale: s.Repair.Stale},
	})
}
