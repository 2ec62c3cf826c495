package actors

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/messages"
)

// MulticastServer announces the local inventory to peers and turns their
// datagrams into PeerAnnounced messages for Info.
//
// It owns the Transport (acquired in Started, closed in Restarting and
// Stopping) and a reader goroutine that decodes each datagram, counts and
// drops bad ones, skips its own (recognised by instance id, never by
// address: every daemon on one host sends from the same address) and sends
// the rest straight to Info.
//
// In: LocalDisks (reply at start), LocalDisksChanged (announce now),
// PeerDiscovered (announce soon, so a newcomer learns us at once),
// announceTick (every announce.interval). A panic restarts it: the socket is
// reopened and the announce sequence continues where it was.
type MulticastServer struct {
	d     *deps
	log   *slog.Logger
	tr    Transport
	wg    sync.WaitGroup
	tick  *ticker
	soon  *time.Timer
	disks []messages.Disk
	have  bool // disks holds Info's answer
	drops *dropLog

	lastPing, lastAnswer time.Time
}

// Ping rate limits: this daemon sends at most one ping per pingEvery, and
// answers at most one ping per pingAnswerEvery, so a flood of pings cannot
// flood the LAN with announcements.
const (
	pingEvery       = 5 * time.Second
	pingAnswerEvery = time.Second
)

func newMulticastProps(d *deps) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		log := d.log.With("actor", "multicast")
		return &MulticastServer{d: d, log: log, drops: newDropLog(log)}
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
		a.goodbye()
		a.release()
	case *messages.LocalDisks:
		if m.Ready {
			a.disks, a.have = m.Disks, true
			a.announce()
		}
	case *messages.LocalDisksChanged:
		a.disks, a.have = m.Disks, true
		a.announce()
	case *announceTick:
		if a.have {
			a.announce()
		}
	case *messages.PeerDiscovered:
		a.announceSoon(c)
	case *soonTick:
		a.soon = nil
		a.announce()
	case *messages.Ping:
		c.Respond(a.ping())
	case *pingReceived:
		// Answer at most one ping per pingAnswerEvery, however many come.
		if now := a.d.now(); now.Sub(a.lastAnswer) >= pingAnswerEvery {
			a.lastAnswer = now
			a.announceSoon(c)
		} else {
			a.d.stats.drop("ping_rate_limited")
		}
	case *readerFailed:
		panic(fmt.Sprintf("multicast receive: %v", m.err))
	case *messages.Crash:
		panic("crash requested by a test hook")
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
	go a.read(c.Self())
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

// announce sends the local inventory now. An inventory too large for one
// datagram is refused, loudly, never cut.
func (a *MulticastServer) announce() {
	seq := a.d.seq.Add(1)
	b, err := messages.EncodeEnvelope(&messages.Envelope{Kind: messages.KindAnnounce, Node: a.d.id.Node,
		Instance: a.d.id.Instance, Seq: seq, Agent: agent(a.d.id.Version), Disks: a.disks})
	if errors.Is(err, messages.ErrTooLarge) {
		prev := a.d.stats.announceStatus().Error
		a.d.stats.setAnnounce(func(s *messages.AnnounceStatus) { s.Error, s.Bytes, s.Seq = err.Error(), len(b), seq })
		if prev != err.Error() {
			a.log.Error("local inventory not announced: too large for one datagram", "error", err, "disks", len(a.disks))
		}
		return
	}
	if err != nil {
		panic(fmt.Sprintf("encode announcement: %v", err))
	}
	if err := a.tr.Send(b); err != nil {
		a.d.stats.sendErrors.Add(1)
		a.drops.warn("send failed", "error", err)
		return
	}
	a.d.stats.datagramsOut.Add(1)
	a.d.stats.bytesOut.Add(uint64(len(b)))
	now := a.d.now()
	a.d.stats.setAnnounce(func(s *messages.AnnounceStatus) { s.Error, s.Bytes, s.Seq, s.Last = "", len(b), seq, now })
}

// send encodes and sends one datagram of a kind without disks.
func (a *MulticastServer) send(kind string) error {
	b, err := messages.EncodeEnvelope(&messages.Envelope{Kind: kind, Node: a.d.id.Node,
		Instance: a.d.id.Instance, Seq: a.d.seq.Add(1), Agent: agent(a.d.id.Version)})
	if err == nil {
		err = a.tr.Send(b)
	}
	if err != nil {
		a.d.stats.sendErrors.Add(1)
		return err
	}
	a.d.stats.datagramsOut.Add(1)
	a.d.stats.bytesOut.Add(uint64(len(b)))
	return nil
}

// goodbye tells peers this daemon stops, so they mark it down at once.
func (a *MulticastServer) goodbye() {
	if a.tr == nil {
		return
	}
	if err := a.send(messages.KindGoodbye); err != nil {
		a.log.Warn("goodbye not sent", "error", err)
	}
}

func (a *MulticastServer) ping() *messages.PingSent {
	now := a.d.now()
	if wait := pingEvery - now.Sub(a.lastPing); !a.lastPing.IsZero() && wait > 0 {
		return &messages.PingSent{RetryIn: wait}
	}
	if err := a.send(messages.KindPing); err != nil {
		a.log.Warn("ping not sent", "error", err)
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

// soonTick ends the delay of announceSoon.
type soonTick struct{}

// read runs in its own goroutine until the transport is closed.
func (a *MulticastServer) read(self *actor.PID) {
	defer a.wg.Done()
	buf := make([]byte, 64*1024)
	st, info, own, node := a.d.stats, a.d.pids.info, a.d.id.Instance, a.d.id.Node
	events := newEventBudget(a.d.now)
	for {
		n, src, truncated, err := a.tr.Receive(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if errors.Is(err, ErrWrongDestination) {
			st.datagramsIn.Add(1)
			st.bytesIn.Add(uint64(n))
			st.drop(messages.DropWrongDest)
			continue
		}
		if err != nil {
			a.d.root.Send(self, &readerFailed{err: err})
			return
		}
		st.datagramsIn.Add(1)
		st.bytesIn.Add(uint64(n))
		if truncated {
			n = len(buf)
		}
		env, err := messages.DecodeDatagram(buf[:n])
		if err != nil {
			var de *messages.DropError
			reason := messages.DropMalformed
			if errors.As(err, &de) {
				reason = de.Reason
			}
			st.drop(reason)
			a.drops.warn("datagram dropped", "reason", reason, "from", src, "detail", err.Error())
			if st.subscribers.Load() > 0 && events.take() {
				a.d.root.Send(info, &messages.Dropped{Reason: reason, From: src, Detail: err.Error()})
			}
			continue
		}
		switch {
		case env.Instance == own:
			st.ownIn.Add(1)
		case env.Node == node:
			st.drop(messages.DropNodeClash)
			a.drops.warn("another daemon announces under our node name", "instance", env.Instance, "from", src)
			if st.subscribers.Load() > 0 && events.take() {
				a.d.root.Send(info, &messages.NodeClash{Instance: env.Instance, Addr: src})
			}
		case env.Kind == messages.KindGoodbye:
			a.d.root.Send(info, &messages.PeerLeft{Node: env.Node, Instance: env.Instance, Seq: env.Seq, At: a.d.now()})
		case env.Kind == messages.KindPing:
			a.d.root.Send(self, &pingReceived{})
		default:
			a.d.root.Send(info, &messages.PeerAnnounced{Node: env.Node, Instance: env.Instance,
				Addr: src, Seq: env.Seq, Agent: env.Agent, Disks: slices.Clip(env.Disks), At: a.d.now()})
		}
	}
}

// announceTick is the periodic announcement.
type announceTick struct{}

// pingReceived tells the actor a peer asked for announcements.
type pingReceived struct{}

// eventBudget allows at most eventsPerSecond drop events to debug
// subscribers, so a flood of junk cannot flood a debug session.
type eventBudget struct {
	now   func() time.Time
	start time.Time
	n     int
}

const eventsPerSecond = 10

func newEventBudget(now func() time.Time) *eventBudget { return &eventBudget{now: now} }

func (b *eventBudget) take() bool {
	if t := b.now(); t.Sub(b.start) >= time.Second {
		b.start, b.n = t, 0
	}
	b.n++
	return b.n <= eventsPerSecond
}

// readerFailed carries the reader goroutine's fatal error into the actor,
// where it panics and so enters supervision.
type readerFailed struct{ err error }

// dropLog logs at most one line per key every dropLogEvery, with the number
// of events suppressed since, so a flood of junk cannot flood the log.
type dropLog struct {
	log  *slog.Logger
	mu   sync.Mutex
	last map[string]time.Time
	skip map[string]int
}

const dropLogEvery = 10 * time.Second

func newDropLog(log *slog.Logger) *dropLog {
	return &dropLog{log: log, last: map[string]time.Time{}, skip: map[string]int{}}
}

func (l *dropLog) warn(msg string, args ...any) {
	key := msg
	if len(args) >= 2 {
		key += fmt.Sprint(args[1])
	}
	l.mu.Lock()
	now := time.Now()
	if now.Sub(l.last[key]) < dropLogEvery {
		l.skip[key]++
		l.mu.Unlock()
		return
	}
	suppressed := l.skip[key]
	l.last[key], l.skip[key] = now, 0
	l.mu.Unlock()
	l.log.Warn(msg, append(args, "suppressed", suppressed)...)
}
