package actors

import (
	"hash/fnv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// pacing is MulticastServer's share of the repair protocol's timing (see
// actors/gossip/repair.go and docs/protocol.md, "Repair"):
//
//   - the engine's request timers, run by one timer armed at the engine's
//     NextDue;
//   - the start-up delay: the first burst (chunks and announce) of a
//     (re)started multicast part waits a delay in [D/4, D], D =
//     repair.startup_delay, drawn from its instance id (random per process):
//     daemons started together (after a power cut) are then mostly
//     listening when each sends its inventory, once; and a peer can tell
//     from the instance how long a newcomer listened before it sent;
//   - discovery answers: a newcomer lacks our inventory, so it is sent our
//     chunks (a whole generation is also a sign of life), not an announce
//     it would have to answer with a request; but not if it was already
//     listening when we last sent our announce or chunks: it started at
//     the latest its start-up delay before we discovered it.
type pacing struct {
	live     bool        // the start-up delay is over: the inventory may be sent
	startup  *time.Timer // ends the start-up delay
	listen   time.Duration
	repair   *time.Timer // fires at repairAt
	repairAt time.Time
	heard    time.Time // our last announce or whole set of chunks sent
	offer    bool      // the pending soonTick sends our chunks (for a newcomer)
}

// repairTick: the engine's next request may be due.
type repairTick struct{}

// startupTick ends the start-up delay.
type startupTick struct{}

// startPacing arms the start-up delay (none when repair.startup_delay is 0).
func (a *MulticastServer) startPacing(c actor.Context) {
	d := a.d.cfg.Repair.StartupDelay
	a.pace = pacing{listen: d / 4}
	if d <= 0 {
		a.pace.live = true
		return
	}
	self, root := c.Self(), a.d.root
	a.pace.startup = time.AfterFunc(startupWait(d, a.d.id.Instance), func() { root.Send(self, &startupTick{}) })
}

// startupWait is the start-up delay of instance: in [d/4, d], spread by
// the instance id, itself random; every peer computes the same.
func startupWait(d time.Duration, instance string) time.Duration {
	h := fnv.New64a()
	h.Write([]byte(instance))
	span := uint64(d - d/4)
	return d/4 + time.Duration(h.Sum64()%(span+1))
}

// goLive ends the start-up delay: the inventory Info gave meanwhile, if
// any, goes out now, once.
func (a *MulticastServer) goLive() {
	a.pace.startup, a.pace.live = nil, true
	if a.have {
		a.sendAll()
	}
}

// armRepair makes sure a repairTick comes when the engine's next request
// is due: one timer, moved only forward in time (a later due is picked up
// when the earlier one fires).
func (a *MulticastServer) armRepair(c actor.Context) {
	next := a.eng.NextDue()
	if next.IsZero() || (!a.pace.repairAt.IsZero() && !next.Before(a.pace.repairAt)) {
		return
	}
	if a.pace.repair != nil {
		a.pace.repair.Stop()
	}
	self, root := c.Self(), a.d.root
	a.pace.repairAt = next
	a.pace.repair = time.AfterFunc(max(0, next.Sub(a.d.now())), func() { root.Send(self, &repairTick{}) })
}

// repairDue sends the requests due and re-arms the timer.
func (a *MulticastServer) repairDue(c actor.Context) {
	a.pace.repair, a.pace.repairAt = nil, time.Time{}
	a.perform(c, a.eng.Due(a.d.now()))
	a.armRepair(c)
}

// discovered answers a new node (or instance) with our chunks after the
// announce-soon delay (one answer for every newcomer meanwhile), unless it
// must have heard our last announce or burst: it listened for its
// start-up delay before it sent what made us discover it (the least, D/4,
// if its instance is not known here). Before our own first burst there is
// nothing to answer: the burst will reach it.
func (a *MulticastServer) discovered(c actor.Context, node string) {
	if !a.pace.live || !a.have {
		return
	}
	listened := a.pace.listen
	if inst := a.eng.InstanceOf(node); inst != "" && a.pace.listen > 0 {
		listened = startupWait(a.d.cfg.Repair.StartupDelay, inst)
	}
	if !a.pace.heard.IsZero() && a.d.now().Sub(a.pace.heard) < listened {
		a.d.stats.discoverySkipped.Add(1)
		return
	}
	a.pace.offer = true
	a.announceSoon(c)
}

// soonDue ends the announce-soon delay: our chunks if a newcomer is owed
// them (those sent within the answer window are not repeated), else the
// announce (a ping's answer).
func (a *MulticastServer) soonDue() {
	if !a.have || !a.pace.live {
		return
	}
	if !a.pace.offer {
		a.announce()
		return
	}
	a.pace.offer = false
	chunks := a.eng.Offer(a.d.now())
	for _, i := range chunks {
		a.sendChunk(i)
	}
	if len(chunks) == len(a.parts) {
		a.pace.heard = a.d.now()
	}
	if a.auth.Load().legacyOut() {
		a.announceLegacy() // a Perl diskd newcomer reads only this
	}
}

func (a *MulticastServer) stopPacing() {
	for _, t := range []*time.Timer{a.pace.startup, a.pace.repair} {
		if t != nil {
			t.Stop()
		}
	}
}
