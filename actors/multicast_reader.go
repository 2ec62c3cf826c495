package actors

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// Limits of the reader, so that a flood costs bounded memory and leaves
// Info free to answer clients.
const (
	sourceRate  = 2000 // datagrams per second from one source address
	sourceBurst = 2 * wire.MaxChunks
	maxSources  = 4096 // rate buckets kept; more resets the table
	maxWindows  = 4096 // replay windows kept; more resets the table
)

// reader decodes datagrams in MulticastServer's receive goroutine: it
// authenticates and validates each, drops and counts bad ones, enforces a
// per-source rate and a replay window per sender instance, skips its own
// (recognised by instance id: every daemon on one host sends from one
// address), reassembles chunked inventories, answers what needs answering
// through the actor, and hands peers' news to Info.
type reader struct {
	d       *deps
	tr      transport.Transport
	self    *actor.PID
	drops   *dropLog
	asm     *assembler
	buckets map[string]*bucket
	windows map[string]*replayWindow
	modern  map[string]bool // sources that send version 1 or 2 datagrams
	events  *eventBudget
}

func newReader(d *deps, tr transport.Transport, self *actor.PID, drops *dropLog) *reader {
	return &reader{d: d, tr: tr, self: self, drops: drops, asm: newAssembler(d.now),
		buckets: map[string]*bucket{}, windows: map[string]*replayWindow{}, modern: map[string]bool{},
		events: newEventBudget(d.now)}
}

func (r *reader) run(wg *sync.WaitGroup) {
	defer wg.Done()
	buf := make([]byte, 64*1024)
	st := r.d.stats
	for {
		n, src, _, err := r.tr.Receive(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil && !errors.Is(err, transport.ErrWrongDestination) {
			r.d.root.Send(r.self, &readerFailed{err: err})
			return
		}
		st.datagramsIn.Add(1)
		st.bytesIn.Add(uint64(n))
		if err != nil {
			r.dropped(wire.DropWrongDest, src, err.Error())
			continue
		}
		if !r.allow(src) {
			r.dropped(wire.DropRate, src, "more than the per-source rate")
			continue
		}
		r.handle(buf[:n], src)
	}
}

func (r *reader) handle(b []byte, src string) {
	env, err := wire.DecodeDatagram(b, r.d.keys)
	var de *wire.DropError
	if errors.As(err, &de) && de.Reason == wire.DropLegacy && r.d.legacyOK() {
		r.handleLegacy(b, src)
		return
	}
	if err != nil {
		reason := wire.DropMalformed
		if de != nil {
			reason = de.Reason
		}
		r.dropped(reason, src, err.Error())
		return
	}
	if !r.modern[src] {
		if len(r.modern) >= maxSources {
			evictOne(r.modern)
		}
		r.modern[src] = true
	}
	switch {
	case env.Instance == r.d.id.Instance:
		r.d.stats.ownIn.Add(1)
		return
	case env.Node == r.d.id.Node:
		r.d.stats.drop(wire.DropNodeClash)
		r.drops.warn("another daemon announces under our node name", "instance", env.Instance, "from", src)
		if r.d.stats.subscribers.Load() > 0 && r.events.take() {
			r.d.root.Send(r.d.pids.info, &messages.NodeClash{Instance: env.Instance, Addr: src})
		}
		return
	}
	if !r.fresh(env) {
		r.dropped(wire.DropReplay, src, "sequence number already seen or too old")
		return
	}
	now := r.d.now()
	switch env.Kind {
	case wire.KindAnnounce:
		if env.V == 1 { // the whole inventory in one datagram
			r.toInfo(&messages.PeerAnnounced{Node: env.Node, Instance: env.Instance, Addr: src, Seq: env.Seq,
				Agent: env.Agent, Full: true, Gen: env.Seq, Disks: slices.Clip(env.Disks), At: now})
			return
		}
		stale, ask := r.asm.onAnnounce(env)
		if stale {
			r.dropped(wire.DropStale, src, "announce of an older generation")
			return
		}
		r.toInfo(&messages.PeerAnnounced{Node: env.Node, Instance: env.Instance, Addr: src, Seq: env.Seq,
			Agent: env.Agent, Gen: env.Gen, At: now})
		if ask != nil {
			r.request(env.Node, env.Gen, ask)
		}
	case wire.KindChunk:
		disks, done, stale, busy := r.asm.onChunk(env)
		switch {
		case stale:
			r.dropped(wire.DropStale, src, "chunk of an older generation")
		case busy:
			r.dropped(wire.DropBusy, src, "too many disks being assembled")
		case done:
			r.toInfo(&messages.PeerAnnounced{Node: env.Node, Instance: env.Instance, Addr: src, Seq: env.Seq,
				Agent: env.Agent, Full: true, Gen: env.Gen, Disks: disks, At: now})
		}
	case wire.KindRequest:
		if env.To == r.d.id.Node {
			r.d.root.Send(r.self, &chunksWanted{gen: env.Gen, missing: env.Missing})
		}
	case wire.KindGoodbye:
		r.asm.forget(env.Node)
		r.toInfo(&messages.PeerLeft{Node: env.Node, Instance: env.Instance, Seq: env.Seq, At: now})
	case wire.KindPing:
		r.d.root.Send(r.self, &pingReceived{})
	}
}

// handleLegacy accepts a datagram of the original Perl diskd, keyed by
// the sender's address as the original does.
func (r *reader) handleLegacy(b []byte, src string) {
	if r.modern[src] {
		// The legacy.announce copy of a modern daemon (or our own): its
		// real announcements already say it all.
		r.d.stats.drop(wire.DropLegacyFromModern)
		return
	}
	disks, err := wire.DecodeLegacy(b)
	if err != nil {
		reason := wire.DropLegacyInvalid
		var de *wire.DropError
		if errors.As(err, &de) {
			reason = de.Reason
		}
		r.dropped(reason, src, err.Error())
		return
	}
	host, _, err := net.SplitHostPort(src)
	if err != nil || wire.ValidNodeName(host) != nil {
		r.dropped(wire.DropLegacyInvalid, src, "sender address is not usable as a node name")
		return
	}
	r.toInfo(&messages.PeerAnnounced{Node: host, Instance: wire.LegacyInstance, Addr: src, Full: true,
		Gen: r.d.seq.Add(1), Legacy: true, Disks: disks, At: r.d.now()})
}

// fresh applies the replay window of the sender's instance.
func (r *reader) fresh(env *wire.Envelope) bool {
	key := env.Node + "/" + env.Instance
	w := r.windows[key]
	if w == nil {
		if len(r.windows) >= maxWindows {
			evictOne(r.windows)
		}
		w = &replayWindow{}
		r.windows[key] = w
	}
	return w.accept(env.Seq)
}

// toInfo hands news to Info unless too much is already waiting for it.
func (r *reader) toInfo(m any) {
	if r.d.stats.infoQueue.Load() >= maxInfoQueue {
		r.d.stats.drop(wire.DropBusy)
		return
	}
	r.d.stats.infoQueue.Add(1)
	r.d.root.Send(r.d.pids.info, m)
}

// request asks node for chunks of generation gen (empty: all).
func (r *reader) request(node string, gen uint64, missing []int) {
	b, err := wire.EncodeDatagram(&wire.Envelope{Kind: wire.KindRequest, Node: r.d.id.Node,
		Instance: r.d.id.Instance, Seq: r.d.seq.Add(1), Agent: agent(r.d.id.Version),
		To: node, Gen: gen, Missing: missing}, r.d.signKey())
	if err == nil {
		err = r.tr.Send(b)
	}
	if err != nil {
		r.d.stats.sendErrors.Add(1)
		return
	}
	r.d.stats.datagramsOut.Add(1)
	r.d.stats.bytesOut.Add(uint64(len(b)))
}

// dropped counts a drop, logs it rate-limited and tells debug sessions.
func (r *reader) dropped(reason, src, detail string) {
	r.d.stats.drop(reason)
	r.drops.warn("datagram dropped", "reason", reason, "from", src, "detail", detail)
	if r.d.stats.subscribers.Load() > 0 && r.events.take() {
		r.d.root.Send(r.d.pids.info, &messages.Dropped{Reason: reason, From: src, Detail: detail})
	}
}

// allow applies the per-source rate limit (a token bucket per address).
func (r *reader) allow(src string) bool {
	now := r.d.now()
	b := r.buckets[src]
	if b == nil {
		if len(r.buckets) >= maxSources {
			evictOne(r.buckets)
		}
		b = &bucket{tokens: sourceBurst, last: now}
		r.buckets[src] = b
	}
	b.tokens = min(sourceBurst, b.tokens+now.Sub(b.last).Seconds()*sourceRate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// evictOne removes one entry (Go's map order is random), so that a full
// table forgets one sender rather than all of them at once.
func evictOne[V any](m map[string]V) {
	for k := range m {
		delete(m, k)
		return
	}
}

type bucket struct {
	tokens float64
	last   time.Time
}

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
	if len(l.last) > 1024 { // keys include reasons only, but stay bounded
		clear(l.last)
		clear(l.skip)
	}
	l.mu.Unlock()
	l.log.Warn(msg, append(args, "suppressed", suppressed)...)
}
