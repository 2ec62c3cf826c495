package gossip

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

const (
	self   = "self"
	selfID = "00000000000000ff"
	peerA  = "aaaaaaaaaaaaaaaa"
	peerA2 = "a2a2a2a2a2a2a2a2"
	srcA   = "10.0.0.1:4000"
)

var t0 = time.Unix(1_000_000, 0)

func ann(node, inst string, seq, gen uint64, chunks int) *wire.Envelope {
	return &wire.Envelope{V: 2, Kind: wire.KindAnnounce, Node: node, Instance: inst, Seq: seq, Gen: gen, Chunks: chunks,
		Digest: "0123456789abcdef"}
}

func chunk(node, inst string, seq, gen uint64, chunks, index int, uuids ...string) *wire.Envelope {
	disks := []messages.Disk{}
	for _, u := range uuids {
		disks = append(disks, messages.Disk{UUID: u})
	}
	return &wire.Envelope{V: 2, Kind: wire.KindChunk, Node: node, Instance: inst, Seq: seq, Gen: gen, Chunks: chunks, Index: index, Disks: disks}
}

func req(node, inst string, seq uint64, to string, gen uint64, missing ...int) *wire.Envelope {
	return &wire.Envelope{V: 2, Kind: wire.KindRequest, Node: node, Instance: inst, Seq: seq, To: to, Gen: gen, Missing: missing}
}

func kind(k, node, inst string, seq uint64) *wire.Envelope {
	return &wire.Envelope{V: 2, Kind: k, Node: node, Instance: inst, Seq: seq}
}

func alive(node, inst string, seq, gen uint64) Deliver {
	return Deliver{Node: node, Instance: inst, Addr: srcA, Seq: seq, Gen: gen}
}

func full(node, inst string, seq, gen uint64, uuids ...string) Deliver {
	disks := []messages.Disk{}
	for _, u := range uuids {
		disks = append(disks, messages.Disk{UUID: u})
	}
	return Deliver{Node: node, Instance: inst, Addr: srcA, Seq: seq, Gen: gen, Full: true, Disks: disks}
}

// step is one input to the engine, at t0+at, and the actions expected.
type step struct {
	at     time.Duration
	env    *wire.Envelope  // Receive
	legacy []messages.Disk // ReceiveLegacy when env is nil and tick false
	tick   bool            // Tick
	due    bool            // Due
	seed   []PeerGen       // Seed, when not nil
	local  *[2]int         // SetLocal(gen, chunks) before the input
	src    string          // srcA when empty
	want   []Action
}

func run(t *testing.T, e *Engine, steps []step) {
	t.Helper()
	for i, s := range steps {
		now := t0.Add(s.at)
		src := s.src
		if src == "" {
			src = srcA
		}
		if s.local != nil {
			e.SetLocal(uint64(s.local[0]), s.local[1])
		}
		var got []Action
		switch {
		case s.seed != nil:
			got = e.Seed(now, s.seed)
		case s.tick:
			got = e.Tick(now)
		case s.due:
			got = e.Due(now)
		case s.env != nil:
			got = e.Receive(now, src, s.env)
		default:
			got = e.ReceiveLegacy(now, src, s.legacy)
		}
		if !reflect.DeepEqual(got, s.want) {
			t.Fatalf("step %d: got\n\t%#v\nwant\n\t%#v", i, got, s.want)
		}
	}
}

func TestEngine_Receive(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"own datagrams are counted, nothing else", []step{
			{env: ann(self, selfID, 1, 1, 1), want: []Action{Own{}}},
		}},
		{"another instance under our node name", []step{
			{env: ann(self, peerA, 1, 1, 1), want: []Action{Drop{Reason: wire.DropNodeClash, Src: srcA, Quiet: true}, NodeClash{Instance: peerA, Addr: srcA}}},
		}},
		{"a new generation is asked for whole, then assembled in any order", []step{
			{env: ann("a", peerA, 1, 1, 2), want: []Action{alive("a", peerA, 1, 1)}},
			{env: chunk("a", peerA, 3, 1, 2, 1, "u2"), want: nil},
			{env: chunk("a", peerA, 2, 1, 2, 0, "u1"), want: []Action{full("a", peerA, 2, 1, "u1", "u2")}},
			{at: time.Second, env: ann("a", peerA, 4, 1, 2), want: []Action{alive("a", peerA, 4, 1)}},
		}},
		{"duplicates are replays; the window takes reordering", []step{
			{env: ann("a", peerA, 5, 1, 1), want: []Action{alive("a", peerA, 5, 1)}},
			{env: ann("a", peerA, 5, 1, 1), want: []Action{Drop{Reason: wire.DropReplay, Src: srcA, Detail: "sequence number already seen or too old"}}},
			{at: time.Second, env: ann("a", peerA, 3, 1, 1), want: []Action{alive("a", peerA, 3, 1)}},
			{env: ann("a", peerA, 200, 1, 1), want: []Action{alive("a", peerA, 200, 1)}},
			{env: ann("a", peerA, 100, 1, 1), want: []Action{Drop{Reason: wire.DropReplay, Src: srcA, Detail: "sequence number already seen or too old"}}},
		}},
		{"missing chunks are asked at most every AskEvery", []step{
			{env: chunk("a", peerA, 1, 1, 3, 0, "u1"), want: nil},
			{env: ann("a", peerA, 2, 1, 3), want: []Action{alive("a", peerA, 2, 1)}},
			{at: 100 * ms, env: ann("a", peerA, 3, 1, 3), want: []Action{alive("a", peerA, 3, 1)}},
			{at: 150 * ms, env: chunk("a", peerA, 4, 1, 3, 2, "u3"), want: nil},
			{at: 200 * ms, env: ann("a", peerA, 5, 1, 3), want: []Action{alive("a", peerA, 5, 1)}},
		}},
		{"stale generations are dropped, a newer one replaces one in progress", []step{
			{env: chunk("a", peerA, 1, 2, 1, 0, "u"), want: []Action{full("a", peerA, 1, 2, "u")}},
			{env: ann("a", peerA, 2, 1, 1), want: []Action{Drop{Reason: wire.DropStale, Src: srcA, Detail: "announce of an older generation"}}},
			{env: chunk("a", peerA, 3, 1, 1, 0, "old"), want: []Action{Drop{Reason: wire.DropStale, Src: srcA, Detail: "chunk of an older generation"}}},
			{env: chunk("a", peerA, 4, 4, 2, 0, "g4"), want: nil},
			{env: chunk("a", peerA, 5, 3, 2, 1, "g3"), want: []Action{Drop{Reason: wire.DropStale, Src: srcA, Detail: "chunk of an older generation"}}},
			{env: chunk("a", peerA, 6, 4, 2, 1, "g4b"), want: []Action{full("a", peerA, 6, 4, "g4", "g4b")}},
		}},
		{"a restarted sender counts again from sequence and generation 1", []step{
			{env: chunk("a", peerA, 90, 7, 1, 0, "old"), want: []Action{full("a", peerA, 90, 7, "old")}},
			{env: ann("a", peerA2, 1, 1, 1), want: []Action{alive("a", peerA2, 1, 1)}},
			{env: chunk("a", peerA2, 2, 1, 1, 0, "new"), want: []Action{full("a", peerA2, 2, 1, "new")}},
		}},
		{"goodbye: the peer left and what was held of it is forgotten", []step{
			{env: chunk("a", peerA, 1, 1, 1, 0, "u"), want: []Action{full("a", peerA, 1, 1, "u")}},
			{env: kind(wire.KindGoodbye, "a", peerA, 2), want: []Action{Left{Node: "a", Instance: peerA, Seq: 2}}},
			{env: ann("a", peerA, 3, 1, 1), want: []Action{alive("a", peerA, 3, 1)}},
		}},
		{"version 1: the whole inventory in the announce", []step{
			{env: &wire.Envelope{V: 1, Kind: wire.KindAnnounce, Node: "a", Instance: peerA, Seq: 9, Disks: []messages.Disk{{UUID: "u"}}},
				want: []Action{full("a", peerA, 9, 9, "u")}},
		}},
		{"legacy: from a modern source, from a bad address, and accepted", []step{
			{src: "10.0.0.9:5000", legacy: []messages.Disk{{UUID: "l"}},
				want: []Action{Deliver{Node: "10.0.0.9", Instance: wire.LegacyInstance, Addr: "10.0.0.9:5000", Full: true, Legacy: true, Disks: []messages.Disk{{UUID: "l"}}}}},
			{env: kind(wire.KindPing, "a", peerA, 1), want: []Action{AnnounceSoon{}}},
			{legacy: []messages.Disk{{UUID: "l"}}, want: []Action{Drop{Reason: wire.DropLegacyFromModern, Src: srcA, Quiet: true}}},
			{src: "no port", legacy: []messages.Disk{{UUID: "l"}},
				want: []Action{Drop{Reason: wire.DropLegacyInvalid, Src: "no port", Detail: "sender address is not usable as a node name"}}},
		}},
		{"pings are answered at most once per PingAnswerEvery", []step{
			{env: kind(wire.KindPing, "a", peerA, 1), want: []Action{AnnounceSoon{}}},
			{at: 500 * ms, env: kind(wire.KindPing, "a", peerA, 2), want: []Action{Drop{Reason: wire.DropPingLimit, Src: srcA, Quiet: true}}},
			{at: time.Second, env: kind(wire.KindPing, "a", peerA, 3), want: []Action{AnnounceSoon{}}},
		}},
		{"requests for our chunks: each resent at most once per AskEvery", []step{
			{env: req("a", peerA, 1, self, 3), want: nil}, // nothing to send yet
			{local: &[2]int{3, 3}, env: req("a", peerA, 2, self, 3, 1), want: []Action{Resend{Chunks: []int{1}}}},
			{at: 50 * ms, env: req("a", peerA, 3, self, 3), want: []Action{Resend{Chunks: []int{0, 2}}}},
			{at: 100 * ms, env: req("a", peerA, 4, self, 3), want: nil},
			{at: 210 * ms, env: req("a", peerA, 5, self, 3, 1, 7), want: []Action{Resend{Chunks: []int{1}}}},
			{at: 300 * ms, env: req("a", peerA, 6, "other", 3), want: nil},
		}},
		{"a request for a later generation (an earlier instance's) is answered by the announce", []step{
			{local: &[2]int{3, 1}, env: req("a", peerA, 1, self, 4), want: []Action{Announce{}}},
			{at: 100 * ms, env: req("a", peerA, 2, self, 4), want: nil},
			{at: 300 * ms, env: req("a", peerA, 3, self, 4), want: []Action{Announce{}}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run(t, New(Config{Node: self, Instance: selfID}), tc.steps)
		})
	}
}

func TestEngine_Announced(t *testing.T) {
	e := New(Config{Node: self, Instance: selfID})
	e.SetLocal(3, 1)
	e.Announced(t0)
	run(t, e, []step{
		{at: 100 * time.Millisecond, env: req("a", peerA, 1, self, 4), want: nil},
		{at: 200 * time.Millisecond, env: req("a", peerA, 2, self, 4), want: []Action{Announce{}}},
	})
}

func TestEngine_RateLimit(t *testing.T) {
	e := New(Config{Node: self, Instance: selfID, SourceRate: 10, SourceBurst: 3})
	limited := []Action{Drop{Reason: wire.DropRate, Src: srcA, Quiet: true}}
	run(t, e, []step{
		{env: kind(wire.KindGoodbye, "a", peerA, 1), want: []Action{Left{Node: "a", Instance: peerA, Seq: 1}}},
		{env: kind(wire.KindGoodbye, "a", peerA, 2), want: []Action{Left{Node: "a", Instance: peerA, Seq: 2}}},
		{env: kind(wire.KindGoodbye, "a", peerA, 3), want: []Action{Left{Node: "a", Instance: peerA, Seq: 3}}},
		{env: kind(wire.KindGoodbye, "a", peerA, 4), want: limited},
		{legacy: []messages.Disk{{UUID: "l"}}, want: limited},
		// Another source has its own bucket.
		{src: "10.0.0.2:1", env: kind(wire.KindGoodbye, "b", peerA2, 1), want: []Action{Left{Node: "b", Instance: peerA2, Seq: 1}}},
		// A tenth of a second later, one token is back.
		{at: 100 * time.Millisecond, env: kind(wire.KindGoodbye, "a", peerA, 5), want: []Action{Left{Node: "a", Instance: peerA, Seq: 5}}},
		{at: 100 * time.Millisecond, env: kind(wire.KindGoodbye, "a", peerA, 6), want: limited},
	})
	// Refilled buckets are forgotten by Tick.
	e.Tick(t0.Add(time.Minute))
	if n := e.Stats().Sources; n != 0 {
		t.Errorf("%d rate buckets after a quiet minute, want 0", n)
	}
}

// A restarted engine learns from Info what it already has before it asks:
// the first announces after a restart cost no request for what Info holds.
func TestEngine_SeedAfterRestart(t *testing.T) {
	e := New(Config{Node: self, Instance: selfID, SeedWait: 2 * time.Second})
	run(t, e, []step{
		{env: ann("a", peerA, 10, 4, 2), want: []Action{alive("a", peerA, 10, 4)}},
		{env: ann("b", peerA2, 11, 2, 1), src: "10.0.0.2:1", want: []Action{Deliver{Node: "b", Instance: peerA2, Addr: "10.0.0.2:1", Seq: 11, Gen: 2}}},
		// Info holds a's generation 4 and an older one of b.
		{seed: []PeerGen{{Node: "a", Instance: peerA, Gen: 4}, {Node: "b", Instance: peerA2, Gen: 1}, {Node: "c", Instance: "legacy", Gen: 9}},
			want: nil},
		// Only b's request is left, after its delay.
		{at: 100 * time.Millisecond, due: true, want: []Action{Request{To: "b", Gen: 2, Missing: []int{}}}},
		{at: time.Second, env: ann("a", peerA, 12, 4, 2), want: []Action{alive("a", peerA, 12, 4)}},
		{at: time.Second, env: ann("a", peerA, 13, 5, 1), want: []Action{alive("a", peerA, 13, 5)}},
	})
	if !e.Stats().Seeded || e.Stats().Known != 2 {
		t.Errorf("stats after seeding: %+v", e.Stats())
	}
}

// Without an answer from Info, the engine stops waiting after SeedWait.
func TestEngine_SeedWaitEnds(t *testing.T) {
	e := New(Config{Node: self, Instance: selfID, SeedWait: 2 * time.Second})
	run(t, e, []step{
		{env: ann("a", peerA, 1, 1, 1), want: []Action{alive("a", peerA, 1, 1)}},
		{at: time.Second, tick: true, want: nil},
		{at: 2 * time.Second, tick: true, want: []Action{Request{To: "a", Gen: 1, Missing: []int{}}}},
		// Unanswered: asked again, after AskEvery and the delay.
		{at: 2*time.Second + 150*time.Millisecond, tick: true, want: nil},
		{at: 3 * time.Second, tick: true, want: []Action{Request{To: "a", Gen: 1, Missing: []int{}}}},
		// A late answer changes nothing but what is known.
		{at: 3 * time.Second, seed: []PeerGen{}, want: nil},
	})
}

func TestEngine_TablesBounded(t *testing.T) {
	e := New(Config{Node: self, Instance: selfID, MaxSources: 8, MaxWindows: 8, MaxKnown: 8})
	for i := range 100 {
		src := fmt.Sprintf("10.0.%d.%d:1", i/256, i%256)
		e.Receive(t0, src, chunk(fmt.Sprintf("n%d", i), fmt.Sprintf("%016x", i+1), 1, 1, 1, 0, "u"))
	}
	s := e.Stats()
	if s.Sources > 8 || s.Windows > 8 || s.Known > 8 || len(e.modern) > 8 {
		t.Errorf("tables over their bound of 8: %+v, %d modern", s, len(e.modern))
	}
	if s.SourcesEvicted != 92 || s.WindowsEvicted != 92 || s.KnownEvicted != 92 || s.ModernEvicted != 92 {
		t.Errorf("evictions: %+v, want 92 of each", s)
	}
}
