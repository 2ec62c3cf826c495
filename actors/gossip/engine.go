package gossip

import (
	"net"
	"slices"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// Engine is the protocol state of one daemon. It is not safe for
// concurrent use: one actor owns it.
type Engine struct {
	cfg     Config
	rate    *rateLimits
	windows map[string]*replayWindow // node/instance → its window
	modern  map[string]bool          // sources that send version 1 or 2 datagrams
	asm     *assembler

	// Seeding: until seeded, requests are owed rather than sent.
	seeded    bool
	seedStart time.Time

	local answers

	next   time.Time // the earliest request due (see repair.go)
	repair RepairStats

	windowsEvicted, modernEvicted uint64
}

// PeerGen is a generation Info already holds for a peer.
type PeerGen struct {
	Node, Instance string
	Gen            uint64
}

// New returns an engine. With cfg.SeedWait set, it waits for Seed (or
// the wait) before it requests anything.
func New(cfg Config) *Engine {
	cfg = cfg.withDefaults()
	e := &Engine{cfg: cfg, windows: map[string]*replayWindow{}, modern: map[string]bool{},
		seeded: cfg.SeedWait <= 0}
	e.rate = newRateLimits(cfg.SourceRate, cfg.SourceBurst, cfg.MaxSources)
	e.asm = newAssembler(&e.cfg)
	e.local.resent = map[int]time.Time{}
	return e
}

// Receive handles one decoded datagram of the modern protocol from src.
func (e *Engine) Receive(now time.Time, src string, env *wire.Envelope) []Action {
	e.startSeedWait(now)
	if !e.rate.allow(src, now) {
		return rateLimited(src)
	}
	e.markModern(src)
	switch {
	case env.Instance == e.cfg.Instance:
		return []Action{Own{}}
	case env.Node == e.cfg.Node:
		return []Action{Drop{Reason: wire.DropNodeClash, Src: src, Quiet: true}, NodeClash{Instance: env.Instance, Addr: src}}
	}
	if !e.fresh(env) {
		return []Action{Drop{Reason: wire.DropReplay, Src: src, Detail: "sequence number already seen or too old"}}
	}
	switch env.Kind {
	case wire.KindAnnounce:
		return e.onAnnounce(now, src, env)
	case wire.KindChunk:
		return e.onChunk(now, src, env)
	case wire.KindRequest:
		if env.To == e.cfg.Node {
			return e.local.onRequest(now, &e.cfg, &e.repair, env.Gen, env.Missing)
		}
		e.othersRequest(now, env)
	case wire.KindGoodbye:
		e.asm.forget(env.Node)
		return []Action{Left{Node: env.Node, Instance: env.Instance, Seq: env.Seq}}
	case wire.KindPing:
		return e.local.onPing(now, &e.cfg, src)
	case wire.KindMount, wire.KindMountResult:
		if env.To == e.cfg.Node {
			return []Action{MountIn{Src: src, Env: env}}
		}
	}
	return nil
}

// ReceiveLegacy handles a decoded datagram of the original Perl diskd,
// whose sender is named by its address, as the original does.
func (e *Engine) ReceiveLegacy(now time.Time, src string, disks []messages.Disk) []Action {
	e.startSeedWait(now)
	if !e.rate.allow(src, now) {
		return rateLimited(src)
	}
	if e.modern[src] {
		// The legacy.announce copy of a modern daemon (or our own): its
		// real announcements already say it all.
		return []Action{Drop{Reason: wire.DropLegacyFromModern, Src: src, Quiet: true}}
	}
	host, _, err := net.SplitHostPort(src)
	if err != nil || wire.ValidNodeName(host) != nil {
		return []Action{Drop{Reason: wire.DropLegacyInvalid, Src: src, Detail: "sender address is not usable as a node name"}}
	}
	return []Action{Deliver{Node: host, Instance: wire.LegacyInstance, Addr: src, Full: true, Legacy: true, Disks: disks}}
}

// rateLimited is counted only: a flood costs no log lines.
func rateLimited(src string) []Action {
	return []Action{Drop{Reason: wire.DropRate, Src: src, Quiet: true}}
}

func (e *Engine) onAnnounce(now time.Time, src string, env *wire.Envelope) []Action {
	if env.V == 1 { // the whole inventory in one datagram
		return []Action{Deliver{Node: env.Node, Instance: env.Instance, Addr: src, Seq: env.Seq,
			Agent: env.Agent, Full: true, Gen: env.Seq, Disks: slices.Clip(env.Disks)}}
	}
	stale, gap := e.asm.onAnnounce(env, now)
	if stale {
		return []Action{Drop{Reason: wire.DropStale, Src: src, Detail: "announce of an older generation"}}
	}
	if gap != nil {
		e.gapAfterAnnounce(now, gap)
	}
	return []Action{Deliver{Node: env.Node, Instance: env.Instance, Addr: src, Seq: env.Seq,
		Agent: env.Agent, Gen: env.Gen}}
}

func (e *Engine) onChunk(now time.Time, src string, env *wire.Envelope) []Action {
	had := -1
	if p := e.asm.parts[env.Node]; p != nil {
		had = p.have
	}
	disks, done, stale, busy := e.asm.onChunk(env, now)
	switch {
	case stale:
		return []Action{Drop{Reason: wire.DropStale, Src: src, Detail: "chunk of an older generation"}}
	case busy:
		return []Action{Drop{Reason: wire.DropBusy, Src: src, Detail: "too many disks being assembled"}}
	case done:
		return []Action{Deliver{Node: env.Node, Instance: env.Instance, Addr: src, Seq: env.Seq,
			Agent: env.Agent, Full: true, Gen: env.Gen, Disks: disks}}
	}
	if p := e.asm.parts[env.Node]; p != nil && p.id.instance == env.Instance && p.id.gen == env.Gen {
		e.gapAfterChunk(now, p, env.Index, p.have != had)
	}
	return nil
}

// fresh applies the replay window of the sender's instance.
func (e *Engine) fresh(env *wire.Envelope) bool {
	key := env.Node + "/" + env.Instance
	w := e.windows[key]
	if w == nil {
		if len(e.windows) >= e.cfg.MaxWindows {
			evictOne(e.windows)
			e.windowsEvicted++
		}
		w = &replayWindow{}
		e.windows[key] = w
	}
	return w.accept(env.Seq)
}

func (e *Engine) markModern(src string) {
	if e.modern[src] {
		return
	}
	if len(e.modern) >= e.cfg.MaxSources {
		evictOne(e.modern)
		e.modernEvicted++
	}
	e.modern[src] = true
}

func (e *Engine) startSeedWait(now time.Time) {
	if e.seedStart.IsZero() {
		e.seedStart = now
	}
}

// Seed tells the engine the generations Info already holds, so that a
// restarted engine does not ask every peer for its whole inventory again.
// Requests that fell due meanwhile are returned, for what Info does not
// hold.
func (e *Engine) Seed(now time.Time, peers []PeerGen) []Action {
	for _, p := range peers {
		if p.Gen == 0 || p.Instance == wire.LegacyInstance {
			continue
		}
		id := genID{p.Instance, p.Gen}
		if k, ok := e.asm.known[p.Node]; ok && k.instance == id.instance && k.gen >= id.gen {
			continue // already heard something newer
		}
		e.asm.remember(p.Node, id)
		if a := e.asm.parts[p.Node]; a != nil && a.id.instance == id.instance && a.id.gen <= id.gen {
			e.asm.drop(p.Node)
		}
	}
	return e.endSeedWait(now)
}

func (e *Engine) endSeedWait(now time.Time) []Action {
	if e.seeded {
		return nil
	}
	e.seeded = true
	return e.Due(now)
}

// Tick does the engine's timed work: it ends the wait for Seed, sends
// the requests due (as Due), abandons stalled assemblies and forgets idle
// rate buckets. Call it about once a second.
func (e *Engine) Tick(now time.Time) []Action {
	e.startSeedWait(now)
	var out []Action
	if !e.seeded && now.Sub(e.seedStart) >= e.cfg.SeedWait {
		out = e.endSeedWait(now)
	}
	e.asm.expire(now)
	out = append(out, e.Due(now)...)
	e.rate.prune(now)
	return out
}

// InstanceOf returns the instance of node whose generation was delivered
// or is being assembled ("" if none).
func (e *Engine) InstanceOf(node string) string {
	if p := e.asm.parts[node]; p != nil {
		return p.id.instance
	}
	return e.asm.known[node].instance
}

// Peers is the number of sender instances heard (the replay windows
// kept): the group size the repair delays scale with.
func (e *Engine) Peers() int { return len(e.windows) }

// Seeded reports whether the engine may send requests.
func (e *Engine) Seeded() bool { return e.seeded }

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
