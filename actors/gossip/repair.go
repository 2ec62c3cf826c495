package gossip

import (
	"slices"
	"time"

	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// Repair, in the manner of SRM (Floyd et al., "A Reliable Multicast
// Framework for Light-weight Sessions"): requests and answers go to the
// whole group, so one receiver's request serves every receiver that lacks
// the same chunks. A receiver that finds a gap does not ask at once: it
// waits a random delay, drawn uniformly from [C1·d, (C1+C2)·d] with d
// growing with the number of peers, so that among many receivers with the
// same gap one asks first and the others hear it and hold back. A
// request seen for what we lack, or a chunk of the generation arriving,
// pushes our own back. A request sent is retried, after AskEvery, then
// twice and four times as long, until chunks arrive (a chunk stored resets
// the count)
// or maxTries requests went unanswered: then only the generation's next
// announce schedules another. So a peer that went away costs a few
// requests, never a stream of them.
//
// Timers are per assembly (reqAt); the engine keeps the earliest of them
// (next) so that its caller needs a single timer (NextDue, Due).

// Timing of requests. d = RepairUnit × (peers+1), at most maxRepairD.
const (
	repairC1    = 1
	repairC2    = 2
	maxRepairD  = 500 * time.Millisecond
	maxBackoff  = 5 // delays grow at most 2^5-fold
	maxTries    = 8 // requests without a chunk in return
	maxReqDelay = 2 * time.Second
	// Retries come after AskEvery, twice, four times AskEvery, then every
	// four times: a lost request or answer is a matter of chance, not of
	// congestion, so the wait stays short (retries stay bounded: maxTries).
	maxRetryFactor = 4
)

// delay is the random wait before a request, after backoff earlier tries.
func (e *Engine) delay(backoff int) time.Duration {
	d := e.cfg.RepairUnit * time.Duration(len(e.windows)+1)
	d = min(d, maxRepairD)
	w := time.Duration((repairC1 + repairC2*e.cfg.Rand()) * float64(d))
	return min(w<<min(backoff, maxBackoff), maxReqDelay)
}

// schedule schedules a request for p at at, unless one is scheduled
// already: a gap seen again is no new timer.
func (e *Engine) schedule(p *assembly, at time.Time) {
	if !p.reqAt.IsZero() {
		return
	}
	p.reqAt = at
	e.repair.Scheduled++
	e.wake(at)
}

// postpone pushes p's request back to at least at.
func (e *Engine) postpone(p *assembly, at time.Time) {
	if !p.reqAt.IsZero() && p.reqAt.Before(at) {
		p.reqAt = at
		e.repair.Postponed++
	}
}

func (e *Engine) wake(at time.Time) {
	if e.next.IsZero() || at.Before(e.next) {
		e.next = at
	}
}

// gapAfterAnnounce: the sender has sent every chunk of the generation
// it announces; what we lack of it will not come unasked. If chunks are
// still arriving (the announce overtook some, or answers to another's
// request flow), the request waits until they stop for QuietWait.
func (e *Engine) gapAfterAnnounce(now time.Time, p *assembly) {
	at := now
	if p.have > 0 && now.Sub(p.progress) < e.cfg.QuietWait {
		at = p.progress.Add(e.cfg.QuietWait)
	}
	e.schedule(p, at.Add(e.delay(p.backoff)))
}

// gapAfterChunk: a chunk of an incomplete generation arrived (stored:
// new, not a duplicate). After the last index of a burst the gaps are
// evident; otherwise more chunks may be on their way, so the request waits
// until they stop for QuietWait (and then its delay): each chunk, even a
// duplicate answering another's request, pushes it back. Only a stored
// one counts as an answer to our requests.
func (e *Engine) gapAfterChunk(now time.Time, p *assembly, index int, stored bool) {
	if stored {
		p.tries, p.backoff = 0, 0 // progress: what is still missing is a new gap
	}
	quiet := now.Add(e.cfg.QuietWait)
	if index == p.chunks-1 {
		at := now.Add(e.delay(p.backoff))
		if !p.reqAt.IsZero() && at.Before(p.reqAt) {
			p.reqAt = at // the quiet timer need not run out
			e.wake(at)
		}
		e.schedule(p, at)
		return
	}
	if p.reqAt.IsZero() {
		e.schedule(p, quiet.Add(e.delay(p.backoff)))
		return
	}
	// Pushed back by at least the shortest delay; no new random draw for
	// each chunk of a burst.
	e.postpone(p, quiet.Add(e.minDelay()))
}

// minDelay is the shortest delay a request can wait: C1·d.
func (e *Engine) minDelay() time.Duration {
	return repairC1 * min(e.cfg.RepairUnit*time.Duration(len(e.windows)+1), maxRepairD)
}

// othersRequest handles a request from another receiver: if it asks for
// everything we lack of that generation, the answer will serve us too,
// and our own request is suppressed (pushed back, with a doubled delay).
func (e *Engine) othersRequest(now time.Time, env *wire.Envelope) {
	p := e.asm.parts[env.To]
	if p == nil || p.id.gen != env.Gen || p.reqAt.IsZero() {
		return
	}
	if len(env.Missing) > 0 {
		for _, i := range p.missing() {
			if !slices.Contains(env.Missing, i) {
				return // it does not cover our gap: ours still goes
			}
		}
		if p.have == 0 && len(env.Missing) < p.chunks {
			return
		}
	}
	p.backoff = min(p.backoff+1, maxBackoff)
	p.reqAt = now.Add(e.cfg.AskEvery + e.delay(p.backoff))
	e.repair.Suppressed++
	e.wake(p.reqAt)
}

// NextDue is when Due next has requests to send (zero: none pending, or
// the engine may not ask yet; Tick ends that wait).
func (e *Engine) NextDue() time.Time {
	if !e.seeded {
		return time.Time{}
	}
	return e.next
}

// Due sends the requests whose delay has passed, in node order. Each
// request sent is followed by a retry (with a doubled delay) unless the
// missing chunks arrive first.
func (e *Engine) Due(now time.Time) []Action {
	if !e.seeded || e.next.IsZero() || now.Before(e.next) {
		return nil
	}
	e.next = time.Time{}
	var out []Action
	for node, p := range e.asm.parts {
		if p.reqAt.IsZero() {
			continue
		}
		if now.Before(p.reqAt) {
			e.wake(p.reqAt)
			continue
		}
		if again := p.lastAsk.Add(e.cfg.AskEvery); !p.lastAsk.IsZero() && now.Before(again) {
			p.reqAt = again
			e.wake(again)
			continue
		}
		p.lastAsk, p.tries = now, p.tries+1
		p.backoff = min(p.backoff+1, maxBackoff)
		p.reqAt = time.Time{}
		if p.tries < maxTries {
			p.reqAt = now.Add(e.cfg.AskEvery*time.Duration(min(1<<(p.tries-1), maxRetryFactor)) + e.delay(0))
			e.wake(p.reqAt)
		}
		e.repair.Sent++
		out = append(out, Request{To: node, Gen: p.id.gen, Missing: p.missing()})
	}
	slices.SortFunc(out, func(a, b Action) int { return compareStrings(a.(Request).To, b.(Request).To) })
	return out
}
