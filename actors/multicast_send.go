package actors

import (
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// setInventory makes a new generation of the local inventory and sends it
// (at the end of the start-up delay, if that is still running); an
// unchanged inventory keeps its generation and sends nothing new.
// An inventory that cannot be split into chunks is refused, loudly, never
// cut; peers keep the previous generation.
func (a *MulticastServer) setInventory(disks []messages.Disk) {
	node, inst, ag := a.d.id.Node, a.d.id.Instance, agent(a.d.id.Version)
	disks, problems := wire.FitDisks(node, inst, ag, disks)
	for _, p := range problems {
		a.log.Error("local inventory not announced whole", "problem", p)
	}
	parts, err := wire.SplitInventory(node, inst, ag, disks)
	if err != nil {
		a.d.stats.setAnnounce(func(s *messages.AnnounceStatus) { s.Error = err.Error() })
		a.log.Error("local inventory not announced: too large", "error", err, "disks", len(disks))
		if a.have && a.pace.live {
			a.announce()
		}
		return
	}
	digest := wire.Digest(disks)
	if a.have && digest == a.digest {
		// The same inventory again (Info's answer at start and its first
		// change can carry one list): it was announced, peers hold it.
		a.d.stats.setAnnounce(func(s *messages.AnnounceStatus) { s.Error = strings.Join(problems, "; ") })
		return
	}
	a.have, a.parts, a.count = true, parts, len(disks)
	a.gen, a.digest = a.d.gen.Add(1), digest
	a.d.stats.setAnnounce(func(s *messages.AnnounceStatus) { s.Error = strings.Join(problems, "; ") })
	if a.pace.live {
		a.sendAll()
	}
}

// sendAll sends the current generation whole: every chunk, then the
// announce. This is the only time its chunks go out unasked.
func (a *MulticastServer) sendAll() {
	a.eng.SetLocal(a.gen, len(a.parts))
	for i := range a.parts {
		a.sendChunk(i)
	}
	a.announce()
}

// announce sends the small periodic announcement (and the legacy one);
// nothing during the start-up delay.
func (a *MulticastServer) announce() {
	if !a.pace.live {
		return
	}
	now := a.d.now()
	a.eng.Announced(now)
	a.pace.heard = now
	if a.send(&wire.Envelope{Kind: wire.KindAnnounce, Gen: a.gen, Chunks: len(a.parts),
		Digest: a.digest, Count: a.count}) {
		a.d.stats.setAnnounce(func(s *messages.AnnounceStatus) {
			s.Seq, s.Last, s.Gen, s.Chunks, s.Disks = a.d.seq.Load(), now, a.gen, len(a.parts), a.count
		})
	}
	if a.auth.Load().legacyOut() {
		a.announceLegacy()
	}
}

func (a *MulticastServer) sendChunk(i int) {
	a.send(&wire.Envelope{Kind: wire.KindChunk, Gen: a.gen, Chunks: len(a.parts), Index: i, Disks: a.parts[i]})
}

// send signs and sends one datagram, filling in the sender's fields.
func (a *MulticastServer) send(e *wire.Envelope) bool {
	if a.tr == nil {
		return false
	}
	e.Node, e.Instance, e.Seq, e.Agent = a.d.id.Node, a.d.id.Instance, a.d.seq.Add(1), agent(a.d.id.Version)
	b, err := wire.EncodeDatagram(e, a.auth.Load().signKey())
	if err == nil {
		err = a.tr.Send(b)
	}
	if err != nil {
		a.d.stats.sendErrors.Add(1)
		a.drops.warn("send failed", "kind", e.Kind, "error", err)
		return false
	}
	a.d.stats.datagramsOut.Add(1)
	a.d.stats.bytesOut.Add(uint64(len(b)))
	a.d.stats.kinds.add(e.Kind, false, len(b))
	return true
}

// announceLegacy sends the inventory in the original's format, or skips
// it with a warning when it does not fit: never cut.
func (a *MulticastServer) announceLegacy() {
	var all []messages.Disk
	for _, p := range a.parts {
		all = append(all, p...)
	}
	b, err := wire.EncodeLegacy(all)
	if errors.Is(err, wire.ErrLegacyTooLarge) {
		a.drops.warn("legacy announcement skipped: inventory too large for the original's 1500 bytes", "disks", len(all))
		return
	}
	if err == nil {
		err = a.tr.Send(b)
	}
	if err != nil {
		a.d.stats.sendErrors.Add(1)
		a.drops.warn("legacy send failed", "error", err)
		return
	}
	a.d.stats.datagramsOut.Add(1)
	a.d.stats.bytesOut.Add(uint64(len(b)))
	a.d.stats.kinds.add(kindLegacy, false, len(b))
}

// ping asks every peer to announce, at most once per pingEvery.
func (a *MulticastServer) ping() *messages.PingSent {
	now := a.d.now()
	if wait := pingEvery - now.Sub(a.lastPing); !a.lastPing.IsZero() && wait > 0 {
		return &messages.PingSent{RetryIn: wait}
	}
	if !a.send(&wire.Envelope{Kind: wire.KindPing}) {
		return &messages.PingSent{}
	}
	a.lastPing = now
	return &messages.PingSent{Sent: true}
}

func agent(version string) string { return "diskd-actors/" + version }

// announceSoon announces after a short random delay, at most once per
// pending delay: several newcomers at once cost one announcement. The
// delay's spread grows with the peers known (5 ms each, at most 1 s), so
// that in a large group more newcomers share one announcement.
func (a *MulticastServer) announceSoon(c actor.Context) {
	if a.soon != nil || !a.have {
		return
	}
	self, root := c.Self(), a.d.root
	spread := min(100*time.Millisecond+5*time.Millisecond*time.Duration(a.eng.Peers()), time.Second)
	delay := 20*time.Millisecond + rand.N(spread)
	a.soon = time.AfterFunc(delay, func() { root.Send(self, &soonTick{}) })
}
