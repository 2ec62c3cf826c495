package actors

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/actors/gossip"
	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// MulticastServer announces the local inventory to peers and turns their
// datagrams into messages for Info.
//
// Announcing: a change of the local disks makes a new generation, sent as
// numbered chunks followed by a small announce (generation, digest, disk
// count, chunk count); every announce.interval only the announce is sent,
// so steady-state traffic does not grow with the disk count. A peer that
// misses chunks asks for them (request), and they are sent again. With
// legacy.announce the inventory also goes out in the original Perl diskd's
// format. Datagrams are signed with the first key of the keyring.
//
// Receiving: the reader goroutine (multicast_reader.go) decodes datagrams
// and hands them here; the protocol engine (actors/gossip), owned by this
// actor, decides what each means, and this actor performs its actions
// (multicast_engine.go): news to Info, requests and resends to the LAN.
//
// It owns the Transport (acquired in Started, closed in Restarting and
// Stopping) and the reader goroutine. A panic restarts it: the socket is
// reopened; generation and sequence numbers continue where they were (they
// live in deps), so peers never see them go back. The engine starts
// afresh and asks Info which generations it already holds, so a restart
// does not re-request every inventory.
type MulticastServer struct {
	d       *deps
	log     *slog.Logger
	tr      transport.Transport
	wg      sync.WaitGroup
	tick    *ticker
	gtick   *ticker
	soon    *time.Timer
	drops   *dropLog
	events  *eventBudget
	eng     *gossip.Engine
	queued  *inflow       // datagrams the reader handed over, not yet handled
	auth    *authPointer  // keys and legacy switches, shared with the reader alone
	every   time.Duration // announce.interval in force (reloadable)
	reading bool          // the reader goroutine runs

	have   bool              // Info has answered: parts is the inventory
	parts  [][]messages.Disk // the chunks of generation gen
	gen    uint64
	digest string
	count  int

	lastPing time.Time
	pace     pacing // start-up delay, request timer (multicast_repair.go)
}

// Timing: this daemon sends at most one ping per pingEvery; the engine
// waits at most seedWait for Info's generations after a (re)start and
// does its timed work every engineEvery.
const (
	pingEvery   = 5 * time.Second
	seedWait    = 2 * time.Second
	engineEvery = 500 * time.Millisecond
)

func newMulticastProps(d *deps) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		log := d.log.With("actor", "multicast")
		return &MulticastServer{d: d, log: log, drops: newDropLog(log), events: newEventBudget(d.now)}
	}, actor.WithReceiverMiddleware(logPanics(d.log)))
}

// Receive handles one message.
func (a *MulticastServer) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		a.start(c)
	case *actor.Restarting:
		a.release()
	case *actor.Stopping:
		a.send(&wire.Envelope{Kind: wire.KindGoodbye})
		a.release()
	case *datagramBatch:
		m.queued.done(len(m.ins)) // first: a panic below must not leak the count
		for i := range m.ins {
			a.received(c, &m.ins[i])
		}
	case *messages.PeerGenerations:
		a.seed(c, m)
	case *engineTick:
		a.perform(c, a.eng.Tick(a.d.now()))
		a.armRepair(c)
		a.publish()
	case *repairTick:
		a.repairDue(c)
	case *startupTick:
		a.goLive()
	case *messages.LocalDisks:
		if m.Ready {
			a.setInventory(m.Disks)
		}
	case *messages.LocalDisksChanged:
		a.setInventory(m.Disks)
	case *announceTick:
		if a.have {
			a.announce()
		}
	case *soonTick:
		a.soon = nil
		a.soonDue()
	case *messages.PeerDiscovered:
		a.discovered(c, m.Node)
	case *messages.Ping:
		c.Respond(a.ping())
	case *messages.ApplySettings:
		a.applySettings(c, m.Settings)
	case *messages.CheckHealth:
		c.Respond(&messages.Healthy{Part: "multicast"})
	case *mountOut:
		a.sendMount(c, m)
	case *readerFailed:
		panic(fmt.Sprintf("multicast receive: %v", m.err))
	}
}

func (a *MulticastServer) start(c actor.Context) {
	a.auth = &authPointer{}
	a.auth.Store(newAuthState(a.d.settings))
	a.eng = gossip.New(gossip.Config{Node: a.d.id.Node, Instance: a.d.id.Instance,
		MaxInFlightDisks: a.maxInFlightDisks(), SeedWait: seedWait, RepairUnit: a.d.cfg.Repair.Unit})
	a.startPacing(c)
	a.queued = newInflow(a.d.stats)
	tr, ok := a.d.transport.take()
	if !ok {
		var err error
		if tr, err = a.d.newTransport(); err != nil {
			panic(fmt.Sprintf("open multicast transport: %v", err))
		}
	}
	a.tr = tr
	iv := a.d.cfg.Announce.Interval
	a.every = iv
	a.tick = newTicker(a.d.root, c.Self(), iv, iv, &announceTick{})
	// The reader starts once the keys in force are known: after a reload
	// a restarted instance must not verify with the keys of the start.
	if !askSettings(c) {
		a.startReader(c)
	}
	a.gtick = newTicker(a.d.root, c.Self(), engineEvery, engineEvery, &engineTick{})
	c.Request(a.d.pids.info, &messages.GetPeerGenerations{})
	c.Request(a.d.pids.info, &messages.GetLocalDisks{})
}

// maxInFlightDisks bounds the disks held by all inventories being
// assembled: Info's budget (limits.max_disks), so that memory in flight
// scales with it, but never less than one peer's largest inventory, so
// that Info, not the assembler, refuses an inventory over budget (whole,
// as over_budget); and never more than the engine's default.
func (a *MulticastServer) maxInFlightDisks() int {
	return min(max(a.d.cfg.Limits.MaxDisks, wire.MaxDisksPerPeer), gossip.DefaultMaxInFlightDisks)
}

func (a *MulticastServer) release() {
	a.tick.stop()
	a.gtick.stop()
	if a.eng != nil {
		a.publish()
		a.d.stats.endGossip()
	}
	if a.soon != nil {
		a.soon.Stop()
	}
	a.stopPacing()
	if a.queued != nil {
		a.queued.close() // a reader waiting for room ends too
	}
	if a.tr != nil {
		a.tr.Close()
	}
	a.wg.Wait()
}

// applySettings takes reloaded keys and legacy switches (the reader sees
// them from its next datagram) and a new announce.interval.
func (a *MulticastServer) applySettings(c actor.Context, s messages.Settings) {
	a.auth.Store(newAuthState(s))
	if !a.reading {
		a.startReader(c)
	}
	if s.AnnounceInterval != a.every {
		a.every = s.AnnounceInterval
		a.tick.stop()
		a.tick = newTicker(a.d.root, c.Self(), a.every, a.every, &announceTick{})
	}
	applied(c, "multicast")
}

func (a *MulticastServer) startReader(c actor.Context) {
	a.reading = true
	a.wg.Add(1)
	go newReader(a.d, a.tr, c.Self(), a.drops, a.queued, a.auth).run(&a.wg)
}

// announceTick is the periodic announcement.
type announceTick struct{}

// soonTick ends the delay of announceSoon.
type soonTick struct{}

// engineTick drives the engine's timed work.
type engineTick struct{}

// readerFailed carries the reader goroutine's fatal error into the actor,
// where it panics and so enters supervision.
type readerFailed struct{ err error }
