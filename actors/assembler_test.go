package actors

import (
	"fmt"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// chunksOf builds the chunk envelopes of one generation of n disks, in
// parts of per disks.
func chunksOf(node, inst string, gen uint64, n, per int) []*wire.Envelope {
	var out []*wire.Envelope
	total := (n + per - 1) / per
	for i := range total {
		var disks []messages.Disk
		for j := i * per; j < min(n, (i+1)*per); j++ {
			disks = append(disks, messages.Disk{UUID: fmt.Sprintf("u%d-%d", gen, j)})
		}
		out = append(out, &wire.Envelope{Kind: wire.KindChunk, Node: node, Instance: inst, Gen: gen, Chunks: total, Index: i, Disks: disks})
	}
	return out
}

func TestAssembler_ReorderedDuplicatedAndStale(t *testing.T) {
	now := time.Unix(1000, 0)
	as := newAssembler(func() time.Time { return now })
	cs := chunksOf("n", "i1", 2, 10, 3) // 4 chunks
	order := []int{3, 1, 1, 0, 3}
	for _, i := range order {
		if _, done, stale, busy := as.onChunk(cs[i]); done || stale || busy {
			t.Fatalf("chunk %d: done=%v stale=%v busy=%v, want an incomplete generation", i, done, stale, busy)
		}
	}
	// The announce arrives with a chunk still missing: ask for it.
	stale, ask := as.onAnnounce(&wire.Envelope{Node: "n", Instance: "i1", Gen: 2, Chunks: 4})
	if stale || len(ask) != 1 || ask[0] != 2 {
		t.Fatalf("announce with chunk 2 missing: stale=%v ask=%v, want [2]", stale, ask)
	}
	// Asked again at once: nothing, the ask is rate-limited.
	if _, ask := as.onAnnounce(&wire.Envelope{Node: "n", Instance: "i1", Gen: 2, Chunks: 4}); ask != nil {
		t.Errorf("second announce within askEvery: ask=%v, want nil", ask)
	}
	disks, done, _, _ := as.onChunk(cs[2])
	if !done || len(disks) != 10 || disks[0].UUID != "u2-0" || disks[9].UUID != "u2-9" {
		t.Fatalf("complete generation: done=%v, %d disks, want all 10 in order", done, len(disks))
	}
	// A duplicate of a delivered generation is ignored quietly.
	if _, done, stale, _ := as.onChunk(cs[0]); done || stale {
		t.Errorf("duplicate after delivery: done=%v stale=%v", done, stale)
	}
	// An older generation of the same instance is stale.
	if _, _, stale, _ := as.onChunk(chunksOf("n", "i1", 1, 3, 3)[0]); !stale {
		t.Errorf("older generation: not stale")
	}
	if stale, _ := as.onAnnounce(&wire.Envelope{Node: "n", Instance: "i1", Gen: 1, Chunks: 1}); !stale {
		t.Errorf("older announce: not stale")
	}
	// The announced generation already delivered: nothing to ask.
	if _, ask := as.onAnnounce(&wire.Envelope{Node: "n", Instance: "i1", Gen: 2, Chunks: 4}); ask != nil {
		t.Errorf("announce of the delivered generation: ask=%v", ask)
	}
	// A new instance (a restart) starts from generation 1 again.
	if _, ask := as.onAnnounce(&wire.Envelope{Node: "n", Instance: "i2", Gen: 1, Chunks: 1}); ask == nil || len(ask) != 0 {
		t.Errorf("announce of a restarted instance: ask=%v, want all", ask)
	}
	if disks, done, _, _ := as.onChunk(chunksOf("n", "i2", 1, 2, 3)[0]); !done || len(disks) != 2 {
		t.Errorf("restarted instance's generation: done=%v %d disks", done, len(disks))
	}
	// A newer generation replaces one in progress: never a mix of the two.
	now = now.Add(time.Second)
	g3, g4 := chunksOf("n", "i2", 3, 6, 3), chunksOf("n", "i2", 4, 6, 3)
	as.onChunk(g3[0])
	as.onChunk(g4[1])
	if _, _, stale, _ := as.onChunk(g3[1]); !stale {
		t.Errorf("chunk of a generation older than the one in progress: not stale")
	}
	disks, done, _, _ = as.onChunk(g4[0])
	if !done || disks[0].UUID != "u4-0" || disks[5].UUID != "u4-5" {
		t.Errorf("generation 4: done=%v %v", done, disks)
	}
}

func TestAssembler_BoundedMemory(t *testing.T) {
	as := newAssembler(time.Now)
	// Many nodes each starting a huge generation and never finishing it.
	for n := range maxAssemblies + 50 {
		for _, c := range chunksOf(fmt.Sprintf("n%d", n), "i", 1, 256, 128)[:1] {
			c.Chunks = wire.MaxChunks
			as.onChunk(c)
		}
	}
	if len(as.parts) > maxAssemblies {
		t.Errorf("%d assemblies kept, limit %d", len(as.parts), maxAssemblies)
	}
	if as.buffered > maxBufferedDisks {
		t.Errorf("%d disks buffered, limit %d", as.buffered, maxBufferedDisks)
	}
	sum := 0
	for _, p := range as.parts {
		sum += p.disks
	}
	if sum != as.buffered {
		t.Errorf("buffered count %d, want the sum %d", as.buffered, sum)
	}
}
