package gossip

import (
	"reflect"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// Zero and negative fields take the defaults; given ones are kept.
func TestConfig_withDefaults(t *testing.T) {
	def := Config{SourceRate: DefaultSourceRate, SourceBurst: DefaultSourceBurst, MaxSources: DefaultMaxSources,
		MaxWindows: DefaultMaxWindows, MaxKnown: DefaultMaxKnown, MaxAssemblies: DefaultMaxAssemblies,
		MaxInFlightDisks: DefaultMaxInFlightDisks, MaxInFlightBytes: DefaultMaxInFlightBytes,
		AskEvery: DefaultAskEvery, PingAnswerEvery: DefaultPingAnswerEvery, AssemblyTimeout: DefaultAssemblyTimeout,
		RepairUnit: DefaultRepairUnit, QuietWait: DefaultQuietWait}
	given := Config{Node: "n", Instance: "i", SourceRate: 1, SourceBurst: 2, MaxSources: 3, MaxWindows: 4, MaxKnown: 5,
		MaxAssemblies: 6, MaxInFlightDisks: 7, MaxInFlightBytes: 8, AskEvery: 9, PingAnswerEvery: 10, AssemblyTimeout: 11, SeedWait: 12,
		RepairUnit: 13, QuietWait: 14}
	cases := []struct {
		name    string
		in, out Config
	}{
		{"zero", Config{}, def},
		{"negative", Config{SourceRate: -1, SourceBurst: -1, MaxSources: -1, MaxWindows: -1, MaxKnown: -1, MaxAssemblies: -1,
			MaxInFlightDisks: -1, MaxInFlightBytes: -1, AskEvery: -1, PingAnswerEvery: -1, AssemblyTimeout: -1,
			RepairUnit: -1, QuietWait: -1}, def},
		{"given", given, given},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.in.withDefaults()
			if got.Rand == nil {
				t.Fatal("no random source by default")
			}
			if got.Rand = nil; !reflect.DeepEqual(got, c.out) {
				t.Errorf("got %+v, want %+v", got, c.out)
			}
		})
	}
}

// Engine cases TestEngine_Receive leaves out: what happens to assemblies
// in progress, to our own answers after a new generation, and to v1
// announces' fields.
func TestEngine_ReceiveMore(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"a goodbye abandons an assembly in progress", []step{
			{env: chunk("a", peerA, 1, 1, 2, 0, "u1"), want: nil},
			{env: kind(wire.KindGoodbye, "a", peerA, 2), want: []Action{Left{Node: "a", Instance: peerA, Seq: 2}}},
			{env: chunk("a", peerA, 3, 1, 2, 1, "u2"), want: nil}, // chunk 0 is gone: not complete
			{env: chunk("a", peerA, 4, 1, 2, 0, "u1"), want: []Action{full("a", peerA, 4, 1, "u1", "u2")}},
		}},
		{"a duplicate chunk, in progress or delivered, is no drop", []step{
			{env: chunk("a", peerA, 1, 1, 2, 0, "u1"), want: nil},
			{env: chunk("a", peerA, 2, 1, 2, 0, "u1"), want: nil},
			{env: chunk("a", peerA, 3, 1, 2, 1, "u2"), want: []Action{full("a", peerA, 3, 1, "u1", "u2")}},
			{env: chunk("a", peerA, 4, 1, 2, 1, "u2"), want: nil},
		}},
		{"an announce with another chunk count restarts the assembly", []step{
			{env: chunk("a", peerA, 1, 1, 2, 0, "u1"), want: nil},
			{env: ann("a", peerA, 2, 1, 3), want: []Action{alive("a", peerA, 2, 1)}},
		}},
		{"an empty chunk counts as received", []step{
			{env: chunk("a", peerA, 1, 1, 2, 0), want: nil},
			{env: ann("a", peerA, 2, 1, 2), want: []Action{alive("a", peerA, 2, 1)}},
			{env: chunk("a", peerA, 3, 1, 2, 1, "u"), want: []Action{full("a", peerA, 3, 1, "u")}},
		}},
		{"a new local generation may be resent at once", []step{
			{local: &[2]int{3, 2}, env: req("a", peerA, 1, self, 3, 0), want: []Action{Resend{Chunks: []int{0}}}},
			{at: 50 * ms, local: &[2]int{4, 2}, env: req("a", peerA, 2, self, 4, 0), want: []Action{Resend{Chunks: []int{0}}}},
			{at: 60 * ms, env: req("a", peerA, 3, self, 4, 0), want: nil},
		}},
		{"requests for chunks out of range are ignored", []step{
			{local: &[2]int{1, 2}, env: req("a", peerA, 1, self, 1, -1, 2, 99), want: nil},
			{env: req("a", peerA, 2, self, 1, -1, 1), want: []Action{Resend{Chunks: []int{1}}}},
		}},
		{"requests addressed to another node are not ours to answer", []step{
			{local: &[2]int{1, 1}, env: req("a", peerA, 1, "b", 1), want: nil},
			{env: req("a", peerA, 2, "b", 9), want: nil},
		}},
		{"a v1 announce keeps its agent and uses its sequence as generation", []step{
			{env: &wire.Envelope{V: 1, Kind: wire.KindAnnounce, Node: "a", Instance: peerA, Seq: 42, Agent: "diskd/0.1",
				Disks: []messages.Disk{{UUID: "u"}, {Label: "l"}}},
				want: []Action{Deliver{Node: "a", Instance: peerA, Addr: srcA, Seq: 42, Gen: 42, Agent: "diskd/0.1", Full: true,
					Disks: []messages.Disk{{UUID: "u"}, {Label: "l"}}}}},
		}},
		{"the replay window is per node and instance", []step{
			{env: kind(wire.KindGoodbye, "a", peerA, 7), want: []Action{Left{Node: "a", Instance: peerA, Seq: 7}}},
			{env: kind(wire.KindGoodbye, "b", peerA, 7), want: []Action{Left{Node: "b", Instance: peerA, Seq: 7}}},
			{env: kind(wire.KindGoodbye, "a", peerA2, 7), want: []Action{Left{Node: "a", Instance: peerA2, Seq: 7}}},
			{env: kind(wire.KindGoodbye, "a", peerA, 7), want: []Action{Drop{Reason: wire.DropReplay, Src: srcA, Detail: "sequence number already seen or too old"}}},
		}},
		{"our own instance is recognised under any node name", []step{
			{env: ann("other", selfID, 1, 1, 1), want: []Action{Own{}}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run(t, New(Config{Node: self, Instance: selfID}), tc.steps)
		})
	}
}

// A chunk that would pass the in-flight budget is dropped as busy with
// its whole assembly, which frees the budget; the next announce asks for
// everything again.
func TestEngine_InFlightBudget(t *testing.T) {
	e := New(Config{Node: self, Instance: selfID, MaxInFlightDisks: 2})
	busy := Drop{Reason: wire.DropBusy, Src: srcA, Detail: "too many disks being assembled"}
	run(t, e, []step{
		{env: chunk("a", peerA, 1, 1, 2, 0, "u1", "u2"), want: nil},
		{env: chunk("a", peerA, 2, 1, 2, 1, "u3"), want: []Action{busy}},
	})
	if s := e.Stats(); s.Assemblies != 0 || s.InFlightDisks != 0 || s.InFlightBytes != 0 {
		t.Errorf("after the busy drop: got %d assemblies, %d disks, %d bytes in flight, want none", s.Assemblies, s.InFlightDisks, s.InFlightBytes)
	}
	run(t, e, []step{
		{env: ann("a", peerA, 3, 1, 2), want: []Action{alive("a", peerA, 3, 1)}},
		{env: chunk("a", peerA, 4, 1, 2, 0, "u1"), want: nil},
	})
	if s := e.Stats(); s.Assemblies != 1 || s.InFlightDisks != 1 || s.InFlightBytes <= 0 {
		t.Errorf("one disk held: got %d assemblies, %d disks, %d bytes, want 1, 1, > 0", s.Assemblies, s.InFlightDisks, s.InFlightBytes)
	}
}

// Tick abandons an assembly that made no progress for AssemblyTimeout, and
// counts it; a stalled peer is then asked for everything again.
func TestEngine_AssemblyExpires(t *testing.T) {
	e := New(Config{Node: self, Instance: selfID, AssemblyTimeout: 10 * time.Second})
	run(t, e, []step{
		{env: chunk("a", peerA, 1, 1, 2, 0, "u1"), want: nil},
		// The quiet timer asked for the rest.
		{at: 9 * time.Second, tick: true, want: []Action{Request{To: "a", Gen: 1, Missing: []int{1}}}},
	})
	if s := e.Stats(); s.Assemblies != 1 || s.AssembliesExpired != 0 {
		t.Errorf("before the timeout: got %d assemblies, %d expired, want 1, 0", s.Assemblies, s.AssembliesExpired)
	}
	run(t, e, []step{
		{at: 10 * time.Second, tick: true, want: nil},
		{at: 10 * time.Second, env: chunk("a", peerA, 2, 1, 2, 1, "u2"), want: nil}, // chunk 0 was abandoned
		{at: 10 * time.Second, env: ann("a", peerA, 3, 1, 2), want: []Action{alive("a", peerA, 3, 1)}},
	})
	if s := e.Stats(); s.AssembliesExpired != 1 {
		t.Errorf("after the timeout: got %d expired, want 1", s.AssembliesExpired)
	}
}

// With MaxAssemblies full, a new assembly evicts the one started first.
func TestEngine_AssembliesEvictOldest(t *testing.T) {
	e := New(Config{Node: self, Instance: selfID, MaxAssemblies: 2})
	run(t, e, []step{
		{at: 0, env: chunk("a", peerA, 1, 1, 2, 0, "a1"), want: nil},
		{at: time.Second, src: "10.0.0.2:1", env: chunk("b", peerA2, 1, 1, 2, 0, "b1"), want: nil},
		{at: 2 * time.Second, src: "10.0.0.3:1", env: chunk("c", "cccccccccccccccc", 1, 1, 2, 0, "c1"), want: nil},
		{at: 3 * time.Second, src: "10.0.0.2:1", env: chunk("b", peerA2, 2, 1, 2, 1, "b2"),
			want: []Action{Deliver{Node: "b", Instance: peerA2, Addr: "10.0.0.2:1", Seq: 2, Gen: 1, Full: true, Disks: []messages.Disk{{UUID: "b1"}, {UUID: "b2"}}}}},
		{at: 3 * time.Second, env: chunk("a", peerA, 2, 1, 2, 1, "a2"), want: nil}, // a's chunk 0 was evicted
	})
	if s := e.Stats(); s.AssembliesEvicted != 1 || s.Assemblies != 2 { // a, by c; b's completion made room for a again
		t.Errorf("evicted, held: got %d, %d, want 1, 2", s.AssembliesEvicted, s.Assemblies)
	}
}

// Seeding: a generation Info holds ends an assembly of it, an older one
// does not replace what was delivered since, and zero generations and
// legacy peers are ignored.
func TestEngine_SeedEdges(t *testing.T) {
	t.Run("the held generation ends its assembly", func(t *testing.T) {
		e := New(Config{Node: self, Instance: selfID, SeedWait: time.Minute})
		run(t, e, []step{
			{env: chunk("a", peerA, 1, 4, 2, 0, "u1"), want: nil},
			{seed: []PeerGen{{Node: "a", Instance: peerA, Gen: 4}}, want: nil},
			{env: chunk("a", peerA, 2, 4, 2, 1, "u2"), want: nil},
			{env: ann("a", peerA, 3, 4, 2), want: []Action{alive("a", peerA, 3, 4)}},
		})
		if s := e.Stats(); s.Assemblies != 0 || s.InFlightDisks != 0 {
			t.Errorf("got %d assemblies, %d disks in flight, want none", s.Assemblies, s.InFlightDisks)
		}
	})
	t.Run("an older seed keeps what was delivered", func(t *testing.T) {
		e := New(Config{Node: self, Instance: selfID, SeedWait: time.Minute})
		run(t, e, []step{
			{env: chunk("a", peerA, 1, 5, 1, 0, "u"), want: []Action{full("a", peerA, 1, 5, "u")}},
			{seed: []PeerGen{{Node: "a", Instance: peerA, Gen: 3}}, want: nil},
			{env: ann("a", peerA, 2, 4, 1), want: []Action{Drop{Reason: wire.DropStale, Src: srcA, Detail: "announce of an older generation"}}},
		})
	})
	t.Run("zero generations and legacy peers are not held", func(t *testing.T) {
		e := New(Config{Node: self, Instance: selfID, SeedWait: time.Minute})
		run(t, e, []step{
			{env: ann("a", peerA, 1, 1, 1), want: []Action{alive("a", peerA, 1, 1)}},
			{seed: []PeerGen{{Node: "a", Instance: peerA, Gen: 0}, {Node: "b", Instance: wire.LegacyInstance, Gen: 3}},
				want: nil},
			{at: 100 * time.Millisecond, due: true, want: []Action{Request{To: "a", Gen: 1, Missing: []int{}}}},
		})
		if s := e.Stats(); s.Known != 0 {
			t.Errorf("known: got %d, want 0", s.Known)
		}
	})
	t.Run("owed requests come sorted by node", func(t *testing.T) {
		e := New(Config{Node: self, Instance: selfID, SeedWait: time.Minute})
		for i, n := range []string{"c", "a", "b"} {
			e.Receive(t0, "10.0.0."+n+":1", ann(n, peerA, uint64(i+1), 1, 1))
		}
		e.Seed(t0, nil)
		got := e.Due(t0.Add(time.Second))
		want := []string{"a", "b", "c"}
		if len(got) != len(want) {
			t.Fatalf("got %#v, want requests to %q", got, want)
		}
		for i, a := range got {
			if r, ok := a.(Request); !ok || r.To != want[i] {
				t.Errorf("action %d: got %#v, want a request to %q", i, a, want[i])
			}
		}
	})
	t.Run("Seeded", func(t *testing.T) {
		if e := New(Config{Node: self, Instance: selfID}); !e.Seeded() {
			t.Errorf("without SeedWait: got Seeded false, want true")
		}
		e := New(Config{Node: self, Instance: selfID, SeedWait: time.Second})
		if e.Seeded() {
			t.Errorf("with SeedWait, before Seed: got Seeded true, want false")
		}
		e.Seed(t0, nil)
		if !e.Seeded() || e.Seed(t0, nil) != nil {
			t.Errorf("after Seed: got Seeded %v, want true and a second Seed owing nothing", e.Seeded())
		}
	})
}
