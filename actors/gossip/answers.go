package gossip

import (
	"time"

	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// answers schedules what this daemon sends on others' behalf: chunks of
// the local inventory on request, at most once per chunk per AskEvery;
// the announce when a peer asks for another generation, at most once per
// AskEvery; an announce for pings, at most once per PingAnswerEvery. No
// flood of requests or pings can make the daemon flood the LAN.
type answers struct {
	have       bool
	gen        uint64
	chunks     int
	resent     map[int]time.Time // chunk index → when last sent; at most chunks entries
	lastSent   time.Time         // the last announce
	lastAnswer time.Time         // the last ping answered
}

// SetLocal records a new generation of the local inventory, just sent
// whole: no chunk of it has been resent yet.
func (e *Engine) SetLocal(gen uint64, chunks int) {
	e.local.have, e.local.gen, e.local.chunks = true, gen, chunks
	clear(e.local.resent)
}

// Offer returns the local chunks not sent within AskEvery, and records
// them as sent now: what a newcomer is sent unasked (it lacks them all),
// without repeating what another's request just made us send.
func (e *Engine) Offer(now time.Time) []int {
	l := &e.local
	if !l.have {
		return nil
	}
	var send []int
	for i := range l.chunks {
		if now.Sub(l.resent[i]) >= e.cfg.AskEvery {
			l.resent[i] = now
			send = append(send, i)
		}
	}
	return send
}

// Announced records that the local announce was sent at now.
func (e *Engine) Announced(now time.Time) { e.local.lastSent = now }

// onRequest answers a request for our chunks. A request for an older
// generation is stale: the newer one was sent whole and announced after
// it, so it is ignored (counted). A request for a newer generation than
// ours comes from a peer that knew an earlier instance of this node: our
// announce tells it the current one. A request whose every index was
// sent within AskEvery, to whoever asked, is a duplicate (counted).
func (l *answers) onRequest(now time.Time, cfg *Config, rs *RepairStats, gen uint64, missing []int) []Action {
	if !l.have {
		return nil
	}
	if gen < l.gen {
		rs.Stale++
		return nil
	}
	if gen != l.gen {
		if now.Sub(l.lastSent) < cfg.AskEvery {
			return nil
		}
		l.lastSent = now
		return []Action{Announce{}}
	}
	want := missing
	if len(want) == 0 {
		want = make([]int, l.chunks)
		for i := range want {
			want[i] = i
		}
	}
	var send []int
	for _, i := range want {
		if i >= 0 && i < l.chunks && now.Sub(l.resent[i]) >= cfg.AskEvery {
			l.resent[i] = now
			send = append(send, i)
		}
	}
	if send == nil {
		rs.Duplicate++
		return nil
	}
	rs.Answered++
	rs.Resent += uint64(len(send))
	return []Action{Resend{Chunks: send}}
}

func (l *answers) onPing(now time.Time, cfg *Config, src string) []Action {
	if !l.lastAnswer.IsZero() && now.Sub(l.lastAnswer) < cfg.PingAnswerEvery {
		return []Action{Drop{Reason: wire.DropPingLimit, Src: src, Quiet: true}}
	}
	l.lastAnswer = now
	return []Action{AnnounceSoon{}}
}

// Stats are the engine's table sizes and what its bounds refused.
type Stats struct {
	Sources, Windows, Known, Assemblies int
	InFlightDisks, InFlightBytes        int
	// Evictions from full tables, and assemblies abandoned.
	SourcesEvicted, ModernEvicted, WindowsEvicted, KnownEvicted uint64
	AssembliesEvicted, AssembliesExpired                        uint64
	Seeded                                                      bool
	Repair                                                      RepairStats
}

// RepairStats count the repair exchange (repair.go). Ours: requests
// scheduled (a gap found), sent, suppressed by another's request, pushed
// back by chunks still arriving. Peers': requests answered, chunks sent
// again, requests ignored as duplicates (all their chunks sent within
// AskEvery) or stale (an older generation).
type RepairStats struct {
	Scheduled, Sent, Suppressed, Postponed uint64
	Answered, Resent, Duplicate, Stale     uint64
}

// Stats returns the current sizes and counters.
func (e *Engine) Stats() Stats {
	return Stats{
		Sources: len(e.rate.buckets), Windows: len(e.windows), Known: len(e.asm.known), Assemblies: len(e.asm.parts),
		InFlightDisks: e.asm.disks, InFlightBytes: e.asm.bytes,
		SourcesEvicted: e.rate.evicted, ModernEvicted: e.modernEvicted, WindowsEvicted: e.windowsEvicted,
		KnownEvicted: e.asm.forgotten, AssembliesEvicted: e.asm.evicted, AssembliesExpired: e.asm.expired,
		Seeded: e.seeded,
		Repair: e.repair,
	}
}
