package actors

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// MulticastServer announces the local inventory to peers and turns their
// datagrams into messages for Info (see multicast_reader.go).
//
// Announcing: a change of the local disks makes a new generation, sent as
// numbered chunks followed by a small announce (generation, digest, disk
// count, chunk count); every announce.interval only the announce is sent,
// so steady-state traffic does not grow with the disk count. A peer that
// misses chunks asks for them (request), and they are sent again. With
// legacy.announce the inventory also goes out in the original Perl diskd's
// format. Datagrams are signed with the first key of the keyring.
//
// It owns the Transport (acquired in Started, closed in Restarting and
// Stopping) and the reader goroutine. A panic restarts it: the socket is
// reopened; generation and sequence numbers continue where they were (they
// live in deps), so peers never see them go back.
type MulticastServer struct {
	d     *deps
	log   *slog.Logger
	tr    transport.Transport
	wg    sync.WaitGroup
	tick  *ticker
	soon  *time.Timer
	drops *dropLog

	have   bool              // Info has answered: parts is the inventory
	parts  [][]messages.Disk // the chunks of generation gen
	gen    uint64
	digest string
	count  int
	resent map[int]time.Time // when each chunk was last sent on request

	lastPing, lastAnswer, lastSummary time.Time
}

// Rate limits: this daemon sends at most one ping per pingEvery, answers
// at most one ping per pingAnswerEvery, and resends a chunk or an announce
// on request at most once per askEvery, so that no flood of requests or
// pings can make it flood the LAN.
const (
	pingEvery       = 5 * time.Second
	pingAnswerEvery = time.Second
)

func newMulticastProps(d *deps) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		log := d.log.With("actor", "multicast")
		return &MulticastServer{d: d, log: log, drops: newDropLog(log), resent: map[int]time.Time{}}
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
	case *messages.LocalDisks:
		if m.Ready {
			a.setInventory(m.Disks)
		}
	case *messages.LocalDisksChanged:
		a.setInventory(m.Disks)
	case *announceTick, *soonTick:
		if _, ok := m.(*soonTick); ok {
			a.soon = nil
		}
		if a.have {
			a.announce()
		}
	case *messages.PeerDiscovered:
		a.announceSoon(c)
	case *chunksWanted:
		a.resend(m)
	case *messages.Ping:
		c.Respond(a.ping())
	case *pingReceived:
		// Answer at most one ping per pingAnswerEvery, however many come.
		if now := a.d.now(); now.Sub(a.lastAnswer) >= pingAnswerEvery {
			a.lastAnswer = now
			a.announceSoon(c)
		} else {
			a.d.stats.drop(wire.DropPingLimit)
		}
	case *readerFailed:
		panic(fmt.Sprintf("multicast receive: %v", m.err))
	}
}

func (a *MulticastServer) start(c actor.Context) {
	tr, ok := a.d.transport.take()
	if !ok {
		var err error
		if tr, err = a.d.newTransport(); err != nil {
			panic(fmt.Sprintf("open multicast transport: %v", err))
		}
	}
	a.tr = tr
	a.wg.Add(1)
	go newReader(a.d, tr, c.Self(), a.drops).run(&a.wg)
	iv := a.d.cfg.Announce.Interval
	a.tick = newTicker(a.d.root, c.Self(), iv, iv, &announceTick{})
	c.Request(a.d.pids.info, &messages.GetLocalDisks{})
}

func (a *MulticastServer) release() {
	a.tick.stop()
	if a.soon != nil {
		a.soon.Stop()
	}
	if a.tr != nil {
		a.tr.Close()
	}
	a.wg.Wait()
}

// setInventory makes a new generation of the local inventory and sends it.
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
		if a.have {
			a.announce()
		}
		return
	}
	a.have, a.parts, a.count = true, parts, len(disks)
	a.gen, a.digest = a.d.gen.Add(1), wire.Digest(disks)
	clear(a.resent)
	for i := range parts {
		a.sendChunk(i)
	}
	a.d.stats.setAnnounce(func(s *messages.AnnounceStatus) { s.Error = strings.Join(problems, "; ") })
	a.announce()
}

// announce sends the small periodic announcement (and the legacy one).
func (a *MulticastServer) announce() {
	a.lastSummary = a.d.now()
	if a.send(&wire.Envelope{Kind: wire.KindAnnounce, Gen: a.gen, Chunks: len(a.parts),
		Digest: a.digest, Count: a.count}) {
		now := a.d.now()
		a.d.stats.setAnnounce(func(s *messages.AnnounceStatus) {
			s.Seq, s.Last, s.Gen, s.Chunks, s.Disks = a.d.seq.Load(), now, a.gen, len(a.parts), a.count
		})
	}
	if a.d.cfg.Legacy.Announce && len(a.d.keys) == 0 {
		a.announceLegacy()
	}
}

func (a *MulticastServer) sendChunk(i int) {
	a.send(&wire.Envelope{Kind: wire.KindChunk, Gen: a.gen, Chunks: len(a.parts), Index: i, Disks: a.parts[i]})
}

// resend answers a request: the chunks asked for, or the announce when the
// requester asked for a generation that is not the current one.
func (a *MulticastServer) resend(m *chunksWanted) {
	if !a.have {
		return
	}
	now := a.d.now()
	if m.gen != a.gen {
		if now.Sub(a.lastSummary) >= askEvery {
			a.announce()
		}
		return
	}
	want := m.missing
	if len(want) == 0 {
		want = make([]int, len(a.parts))
		for i := range want {
			want[i] = i
		}
	}
	for _, i := range want {
		if i < len(a.parts) && now.Sub(a.resent[i]) >= askEvery {
			a.resent[i] = now
			a.sendChunk(i)
		}
	}
}

// send signs and sends one datagram, filling in the sender's fields.
func (a *MulticastServer) send(e *wire.Envelope) bool {
	if a.tr == nil {
		return false
	}
	e.Node, e.Instance, e.Seq, e.Agent = a.d.id.Node, a.d.id.Instance, a.d.seq.Add(1), agent(a.d.id.Version)
	b, err := wire.EncodeDatagram(e, a.d.signKey())
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
}

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
// pending delay: several newcomers at once cost one announcement.
func (a *MulticastServer) announceSoon(c actor.Context) {
	if a.soon != nil || !a.have {
		return
	}
	self, root := c.Self(), a.d.root
	delay := 20*time.Millisecond + rand.N(100*time.Millisecond)
	a.soon = time.AfterFunc(delay, func() { root.Send(self, &soonTick{}) })
}

// announceTick is the periodic announcement.
type announceTick struct{}

// soonTick ends the delay of announceSoon.
type soonTick struct{}

// pingReceived tells the actor a peer asked for announcements.
type pingReceived struct{}

// chunksWanted is a peer's request for chunks of our inventory.
type chunksWanted struct {
	gen     uint64
	missing []int
}

// readerFailed carries the reader goroutine's fatal error into the actor,
// where it panics and so enters supervision.
type readerFailed struct{ err error }
