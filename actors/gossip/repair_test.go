package gossip

import (
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// fixed returns a random source that always gives r: delays are then
// exactly (C1 + C2·r)·d.
func fixed(r float64) func() float64 { return func() float64 { return r } }

// newRepairEngine has one peer known after its first datagram, so
// d = 2 × RepairUnit; with r = 0.5 a request waits 2·d = 4 RepairUnits.
func newRepairEngine(r float64) *Engine {
	return New(Config{Node: self, Instance: selfID, RepairUnit: 10 * time.Millisecond, Rand: fixed(r)})
}

const srcB = "10.0.0.2:4000"

// A gap seen on an announce is asked for after the random delay, not at
// once; the delay grows with the peers known.
func TestRepair_RequestWaitsItsDelay(t *testing.T) {
	ms := time.Millisecond
	e := newRepairEngine(0.5)
	run(t, e, []step{
		{env: ann("a", peerA, 1, 1, 3), want: []Action{alive("a", peerA, 1, 1)}},
		{at: 39 * ms, due: true, want: nil},
		{at: 40 * ms, due: true, want: []Action{Request{To: "a", Gen: 1, Missing: []int{}}}},
	})
	if got := e.NextDue(); !got.Equal(t0.Add(40*ms + DefaultAskEvery + 40*ms)) {
		t.Errorf("retry due at %v, want after AskEvery and the delay", got.Sub(t0))
	}
	// With ten peers known, d is 11 RepairUnits.
	if got := e.delay(0); got != 40*ms {
		t.Fatalf("delay with 1 peer: %v, want 40ms", got)
	}
	for i := range 9 {
		e.Receive(t0, srcB, kind(wire.KindPing, "p", string(rune('0'+i))+"000000000000000", 1))
	}
	if got := e.delay(0); got != 220*ms {
		t.Errorf("delay with 10 peers: %v, want 220ms", got)
	}
}

// A request from another receiver that covers our gap suppresses ours: it
// is pushed back past AskEvery, and counted. One that does not cover the
// gap leaves ours due.
func TestRepair_SuppressedByAnothersRequest(t *testing.T) {
	ms := time.Millisecond
	e := newRepairEngine(0.5)
	run(t, e, []step{
		{env: chunk("a", peerA, 1, 1, 3, 0, "u0"), want: nil},
		{env: ann("a", peerA, 2, 1, 3), want: []Action{alive("a", peerA, 2, 1)}},
		// b asks only for chunk 1: not all we lack.
		{at: 10 * ms, src: srcB, env: req("b", peerA2, 1, "a", 1, 1), want: nil},
		// b asks for 1 and 2: the answer will serve us.
		{at: 20 * ms, src: srcB, env: req("b", peerA2, 2, "a", 1, 1, 2), want: nil},
		{at: 60 * ms, due: true, want: nil},
		{at: 60*ms + DefaultAskEvery, due: true, want: nil},
	})
	s := e.Stats().Repair
	if s.Suppressed != 1 || s.Sent != 0 {
		t.Errorf("after the covering request: %+v, want 1 suppressed, none sent", s)
	}
	// Nothing came: ours goes after all, with the doubled delay
	// (backoff 1; with three peers known d = 40ms, 2·d·2 = 160ms).
	run(t, e, []step{
		{at: 20*ms + DefaultAskEvery + 160*ms, due: true, want: []Action{Request{To: "a", Gen: 1, Missing: []int{1, 2}}}},
	})
	// A request asking for everything covers any gap.
	e2 := newRepairEngine(0.5)
	run(t, e2, []step{
		{env: ann("a", peerA, 1, 1, 2), want: []Action{alive("a", peerA, 1, 1)}},
		{at: 10 * ms, src: srcB, env: req("b", peerA2, 1, "a", 1), want: nil},
		{at: 100 * ms, due: true, want: nil},
	})
	if s := e2.Stats().Repair; s.Suppressed != 1 {
		t.Errorf("after a request for all: %+v, want 1 suppressed", s)
	}
}

// An answer (a chunk of the generation) arriving while our request waits
// pushes it back until chunks stop for QuietWait; the one that completes
// the generation cancels it.
func TestRepair_PostponedByAnswer(t *testing.T) {
	ms := time.Millisecond
	e := newRepairEngine(0.5)
	run(t, e, []step{
		{env: ann("a", peerA, 1, 1, 3), want: []Action{alive("a", peerA, 1, 1)}},
		// Someone else's request was answered: chunk 0 arrives at 30ms.
		{at: 30 * ms, env: chunk("a", peerA, 2, 1, 3, 0, "u0"), want: nil},
		{at: 40 * ms, due: true, want: nil},
		{at: 79 * ms, due: true, want: nil},
		{at: 79 * ms, env: chunk("a", peerA, 3, 1, 3, 2, "u2"), want: nil},
		{at: 80 * ms, env: chunk("a", peerA, 4, 1, 3, 1, "u1"), want: []Action{full("a", peerA, 4, 1, "u0", "u1", "u2")}},
		{at: time.Second, due: true, want: nil},
	})
	if s := e.Stats().Repair; s.Sent != 0 || s.Postponed == 0 {
		t.Errorf("repair: %+v, want nothing sent and a postponement", s)
	}
}

// A burst that ends with gaps: after its last index the request is due
// after the delay; if the last chunk is lost, after QuietWait and the
// delay, and each chunk still arriving pushes it back to at least
// QuietWait and the shortest delay (C1·d = 20ms here) after it.
func TestRepair_GapAtEndOfBurst(t *testing.T) {
	ms := time.Millisecond
	run(t, newRepairEngine(0.5), []step{
		{env: chunk("a", peerA, 1, 1, 4, 0, "u0"), want: nil},
		{env: chunk("a", peerA, 3, 1, 4, 2, "u2"), want: nil},
		{env: chunk("a", peerA, 4, 1, 4, 3, "u3"), want: nil},
		{at: 40 * ms, due: true, want: []Action{Request{To: "a", Gen: 1, Missing: []int{1}}}},
	})
	run(t, newRepairEngine(0.5), []step{
		{env: chunk("a", peerA, 1, 1, 4, 0, "u0"), want: nil},
		{at: 80 * ms, due: true, want: nil}, // due at QuietWait + 40ms
		{at: 80 * ms, env: chunk("a", peerA, 3, 1, 4, 2, "u2"), want: nil},
		{at: 80*ms + DefaultQuietWait + 19*ms, due: true, want: nil},
		{at: 80*ms + DefaultQuietWait + 20*ms, due: true, want: []Action{Request{To: "a", Gen: 1, Missing: []int{1, 3}}}},
	})
}

// The holder answers only the indexes named, each at most once per
// AskEvery however many ask; the rest of the requests are duplicates. A
// request for an older generation is stale. Both are counted.
func TestRepair_Answers(t *testing.T) {
	ms := time.Millisecond
	e := newRepairEngine(0.5)
	e.SetLocal(5, 8)
	run(t, e, []step{
		{env: req("a", peerA, 1, self, 5, 3, 6), want: []Action{Resend{Chunks: []int{3, 6}}}},
		{at: 1 * ms, src: srcB, env: req("b", peerA2, 1, self, 5, 3, 6), want: nil},
		{at: 2 * ms, src: srcB, env: req("b", peerA2, 2, self, 5, 6, 3), want: nil},
		{at: 3 * ms, env: req("a", peerA, 2, self, 5, 3, 4), want: []Action{Resend{Chunks: []int{4}}}},
		{at: 4 * ms, env: req("a", peerA, 3, self, 4, 1), want: nil},
		{at: 5 * ms, env: req("a", peerA, 4, self, 1), want: nil},
		{at: DefaultAskEvery, env: req("a", peerA, 5, self, 5, 6), want: []Action{Resend{Chunks: []int{6}}}},
	})
	want := RepairStats{Answered: 3, Resent: 4, Duplicate: 2, Stale: 2}
	if got := e.Stats().Repair; got != want {
		t.Errorf("answers: %+v, want %+v", got, want)
	}
}

// A request sent is retried with growing intervals while nothing comes,
// maxTries times at most; a chunk starts the count again, and the next
// announce of the generation schedules another round.
func TestRepair_RetriesBounded(t *testing.T) {
	e := newRepairEngine(0)
	e.Receive(t0, srcA, ann("a", peerA, 1, 1, 2))
	sent := 0
	for now := t0; now.Before(t0.Add(time.Minute)); now = now.Add(10 * time.Millisecond) {
		sent += len(e.Due(now))
	}
	if sent != maxTries || !e.NextDue().IsZero() {
		t.Fatalf("a silent peer got %d requests in a minute (next due %v), want %d then none", sent, e.NextDue(), maxTries)
	}
	at := t0.Add(time.Minute)
	e.Receive(at, srcA, ann("a", peerA, 2, 1, 2))
	if e.NextDue().IsZero() {
		t.Errorf("the next announce scheduled no request")
	}
}

// Offer gives a newcomer every local chunk not sent within AskEvery, and
// counts them as sent: a request right after is a duplicate.
func TestRepair_Offer(t *testing.T) {
	e := newRepairEngine(0.5)
	if got := e.Offer(t0); got != nil {
		t.Fatalf("no local inventory: offered %v", got)
	}
	e.SetLocal(2, 3)
	run(t, e, []step{{env: req("a", peerA, 1, self, 2, 1), want: []Action{Resend{Chunks: []int{1}}}}})
	if got := e.Offer(t0.Add(time.Millisecond)); len(got) != 2 || got[0] != 0 || got[1] != 2 {
		t.Errorf("offer right after chunk 1 was resent: %v, want [0 2]", got)
	}
	run(t, e, []step{{at: 2 * time.Millisecond, env: req("a", peerA, 2, self, 2, 0), want: nil}})
	if got := e.Offer(t0.Add(DefaultAskEvery + time.Millisecond)); len(got) != 3 {
		t.Errorf("offer a window later: %v, want all 3", got)
	}
}
