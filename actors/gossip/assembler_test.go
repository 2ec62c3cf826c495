package gossip

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// chunksOf builds the chunk envelopes of one generation of n disks, in
// parts of per disks.
func chunksOf(node, inst string, gen uint64, n, per int) []*wire.Envelope {
	var out []*wire.Envelope
	total := max(1, (n+per-1)/per)
	for i := range total {
		disks := []messages.Disk{}
		for j := i * per; j < min(n, (i+1)*per); j++ {
			disks = append(disks, messages.Disk{UUID: fmt.Sprintf("u%d-%d", gen, j)})
		}
		out = append(out, &wire.Envelope{V: 2, Kind: wire.KindChunk, Node: node, Instance: inst, Gen: gen, Chunks: total, Index: i, Disks: disks})
	}
	return out
}

func testAssembler() *assembler {
	cfg := Config{}.withDefaults()
	return newAssembler(&cfg)
}

func TestAssembler_ReorderedDuplicatedAndStale(t *testing.T) {
	now := time.Unix(1000, 0)
	as := testAssembler()
	cs := chunksOf("n", "i1", 2, 10, 3) // 4 chunks
	for _, i := range []int{3, 1, 1, 0, 3} {
		if _, done, stale, busy := as.onChunk(cs[i], now); done || stale || busy {
			t.Fatalf("chunk %d: done=%v stale=%v busy=%v, want an incomplete generation", i, done, stale, busy)
		}
	}
	// The announce arrives with a chunk still missing: ask for it.
	stale, gap := as.onAnnounce(&wire.Envelope{Node: "n", Instance: "i1", Gen: 2, Chunks: 4}, now)
	if ask := gap.missing(); stale || len(ask) != 1 || ask[0] != 2 {
		t.Fatalf("announce with chunk 2 missing: stale=%v ask=%v, want [2]", stale, ask)
	}
	// Announced again: the same assembly, not a new one.
	if _, again := as.onAnnounce(&wire.Envelope{Node: "n", Instance: "i1", Gen: 2, Chunks: 4}, now); again != gap {
		t.Errorf("second announce: a new assembly, want the one in progress")
	}
	disks, done, _, _ := as.onChunk(cs[2], now)
	if !done || len(disks) != 10 || disks[0].UUID != "u2-0" || disks[9].UUID != "u2-9" {
		t.Fatalf("complete generation: done=%v, %d disks, want all 10 in order", done, len(disks))
	}
	if as.disks != 0 || as.bytes != 0 || len(as.parts) != 0 {
		t.Errorf("after delivery: %d disks, %d bytes, %d assemblies held, want none", as.disks, as.bytes, len(as.parts))
	}
	// A duplicate of a delivered generation is ignored quietly.
	if _, done, stale, _ := as.onChunk(cs[0], now); done || stale {
		t.Errorf("duplicate after delivery: done=%v stale=%v", done, stale)
	}
	// An older generation of the same instance is stale.
	if _, _, stale, _ := as.onChunk(chunksOf("n", "i1", 1, 3, 3)[0], now); !stale {
		t.Errorf("older generation: not stale")
	}
	if stale, _ := as.onAnnounce(&wire.Envelope{Node: "n", Instance: "i1", Gen: 1, Chunks: 1}, now); !stale {
		t.Errorf("older announce: not stale")
	}
	// The announced generation already delivered: nothing to ask.
	if _, gap := as.onAnnounce(&wire.Envelope{Node: "n", Instance: "i1", Gen: 2, Chunks: 4}, now); gap != nil {
		t.Errorf("announce of the delivered generation: a gap %v", gap.missing())
	}
	// A new instance (a restart) starts from generation 1 again.
	if _, gap := as.onAnnounce(&wire.Envelope{Node: "n", Instance: "i2", Gen: 1, Chunks: 1}, now); gap == nil || len(gap.missing()) != 0 {
		t.Errorf("announce of a restarted instance: want a gap of all its chunks")
	}
	if disks, done, _, _ := as.onChunk(chunksOf("n", "i2", 1, 2, 3)[0], now); !done || len(disks) != 2 {
		t.Errorf("restarted instance's generation: done=%v %d disks", done, len(disks))
	}
	// A newer generation replaces one in progress: never a mix of the two.
	now = now.Add(time.Second)
	g3, g4 := chunksOf("n", "i2", 3, 6, 3), chunksOf("n", "i2", 4, 6, 3)
	as.onChunk(g3[0], now)
	as.onChunk(g4[1], now)
	if _, _, stale, _ := as.onChunk(g3[1], now); !stale {
		t.Errorf("chunk of a generation older than the one in progress: not stale")
	}
	disks, done, _, _ = as.onChunk(g4[0], now)
	if !done || disks[0].UUID != "u4-0" || disks[5].UUID != "u4-5" {
		t.Errorf("generation 4: done=%v %v", done, disks)
	}
}

// An empty inventory is one empty chunk, and is delivered as an empty
// (not nil) list.
func TestAssembler_EmptyInventory(t *testing.T) {
	as := testAssembler()
	disks, done, _, _ := as.onChunk(chunksOf("n", "i", 1, 0, 3)[0], time.Unix(1, 0))
	if !done || disks == nil || len(disks) != 0 {
		t.Fatalf("empty generation: done=%v disks=%#v", done, disks)
	}
}

func checkAccounting(t *testing.T, as *assembler) {
	t.Helper()
	disks, bytes := 0, 0
	for _, p := range as.parts {
		disks += p.disks
		bytes += p.bytes
	}
	if disks != as.disks || bytes != as.bytes {
		t.Errorf("held %d disks, %d bytes; the assemblies add up to %d, %d", as.disks, as.bytes, disks, bytes)
	}
}

func TestAssembler_BoundedMemory(t *testing.T) {
	for _, tc := range []struct {
		name                    string
		cfg                     Config
		nodes, disks, perChunk  int
		label                   int // label length, to weigh the bytes
		wantAssemblies, wantBsy bool
	}{
		{name: "assemblies", cfg: Config{MaxAssemblies: 10}, nodes: 60, disks: 256, perChunk: 128, wantAssemblies: true},
		{name: "disks", cfg: Config{MaxInFlightDisks: 1000}, nodes: 60, disks: 256, perChunk: 128, wantBsy: true},
		{name: "bytes", cfg: Config{MaxInFlightBytes: 100_000}, nodes: 60, disks: 256, perChunk: 128, label: 200, wantBsy: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg.withDefaults()
			as := newAssembler(&cfg)
			now := time.Unix(1, 0)
			busy := 0
			// Many nodes each starting a huge generation and never finishing it.
			for n := range tc.nodes {
				c := chunksOf(fmt.Sprintf("n%d", n), "i", 1, tc.disks, tc.perChunk)[0]
				c.Chunks = wire.MaxChunks
				for i := range c.Disks {
					c.Disks[i].Label = strings.Repeat("x", tc.label)
				}
				if _, _, _, b := as.onChunk(c, now); b {
					busy++
				}
				checkAccounting(t, as)
				if len(as.parts) > cfg.MaxAssemblies || as.disks > cfg.MaxInFlightDisks || as.bytes > cfg.MaxInFlightBytes {
					t.Fatalf("over a bound: %d assemblies, %d disks, %d bytes (config %+v)", len(as.parts), as.disks, as.bytes, cfg)
				}
			}
			if tc.wantAssemblies && as.evicted == 0 {
				t.Errorf("no assembly evicted from a full table")
			}
			if tc.wantBsy && busy == 0 {
				t.Errorf("no chunk refused as busy")
			}
		})
	}
}

func TestAssembler_OnePeerAtMostMaxDisksPerPeer(t *testing.T) {
	as := testAssembler()
	now := time.Unix(1, 0)
	cs := chunksOf("n", "i", 1, wire.MaxDisksPerPeer+128, 128)
	busy := false
	for _, c := range cs {
		_, done, _, b := as.onChunk(c, now)
		if done {
			t.Fatalf("an inventory over MaxDisksPerPeer was delivered")
		}
		busy = busy || b
	}
	if !busy {
		t.Errorf("an inventory over MaxDisksPerPeer was never refused")
	}
	checkAccounting(t, as)
}

func TestAssembler_ExpireStalled(t *testing.T) {
	as := testAssembler()
	now := time.Unix(1, 0)
	as.onChunk(chunksOf("a", "i", 1, 6, 3)[0], now)
	as.onChunk(chunksOf("b", "i", 1, 6, 3)[0], now.Add(DefaultAssemblyTimeout/2))
	as.expire(now.Add(DefaultAssemblyTimeout))
	if _, ok := as.parts["a"]; ok || as.parts["b"] == nil || as.expired != 1 {
		t.Errorf("after the timeout: a held %v, b held %v, expired %d; want only b, 1", as.parts["a"] != nil, as.parts["b"] != nil, as.expired)
	}
	checkAccounting(t, as)
}

func TestAssembler_KnownBounded(t *testing.T) {
	cfg := Config{MaxKnown: 5}.withDefaults()
	as := newAssembler(&cfg)
	for n := range 20 {
		as.onChunk(chunksOf(fmt.Sprintf("n%d", n), "i", 1, 1, 1)[0], time.Unix(1, 0))
	}
	if len(as.known) > 5 || as.forgotten != 15 {
		t.Errorf("%d generations known (limit 5), %d forgotten (want 15)", len(as.known), as.forgotten)
	}
}
