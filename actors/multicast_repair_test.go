package actors

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// The start-up delay of an instance lies in [D/4, D], is the same
// wherever it is computed, and is spread by the instance id.
func TestStartupWait(t *testing.T) {
	const d = 3 * time.Second
	seen := map[time.Duration]bool{}
	for i := range 1000 {
		inst := fmt.Sprintf("%016x", uint64(i)*0x9e3779b97f4a7c15)
		w := startupWait(d, inst)
		if w < d/4 || w > d {
			t.Fatalf("instance %s: wait %v, want within [%v, %v]", inst, w, d/4, d)
		}
		if w != startupWait(d, inst) {
			t.Fatalf("instance %s: two waits", inst)
		}
		seen[w/(100*time.Millisecond)] = true
	}
	if len(seen) < 20 {
		t.Errorf("1,000 instances fell in %d of the 23 tenths of a second from 0.7s to 3s, want them spread", len(seen))
	}
	if w := startupWait(0, "00000000000000aa"); w != 0 {
		t.Errorf("D = 0: wait %v, want 0", w)
	}
}

// A burst that ends with a gap (the last chunk came, one before it did
// not) makes a ask for the missing chunk, by itself, after its delay: the
// engine's timer runs in the actor.
func TestMulticastServer_RequestsAGap(t *testing.T) {
	h := &transport.Hub{}
	testDaemon(t, h, "a", diskA)
	b := newFakePeer(t, h, "b", "00000000000000bb")
	b.next("a") // a is past its start-up delay
	for _, i := range []int{0, 2} {
		b.send(&wire.Envelope{Kind: wire.KindChunk, Gen: 1, Chunks: 3, Index: i, Disks: []messages.Disk{{UUID: fmt.Sprint("u", i)}}})
	}
	for {
		e := b.next("a")
		if e.Kind != wire.KindRequest {
			continue // a's own announces and chunks
		}
		if e.To != "b" || e.Gen != 1 || !slices.Equal(e.Missing, []int{1}) {
			t.Fatalf("a asked %s for %v of generation %d, want b for [1] of 1", e.To, e.Missing, e.Gen)
		}
		return
	}
}

// A newcomer that started after a's last announce is sent a's chunks (it
// lacks them all), not an announce; one that was listening when a last
// sent them is not answered, and that is counted. The clock is a fake one,
// moved on to set the newcomers' start apart.
func TestMulticastServer_NewcomersOfferedChunksOnce(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	h := &transport.Hub{}
	a, _ := testDaemon(t, h, "a", diskA, func(o *Options) { o.Now, o.Ticks = clock.now, clock.ticks })
	b := newFakePeer(t, h, "b", "00000000000000bb")
	for e := b.next("a"); e.Kind != wire.KindAnnounce || e.Count != 1; e = b.next("a") {
	}
	clock.advance(10 * time.Second) // b starts long after a's announce
	b.send(oneDiskChunk(1, "u-b"))
	e := b.next("a")
	if e.Kind != wire.KindChunk || e.Index != 0 {
		t.Fatalf("a's answer to the newcomer: %s %d, want its chunk 0", e.Kind, e.Index)
	}
	// c sends as soon as a's chunks went out: it was listening.
	c := newFakePeer(t, h, "c", "00000000000000cc")
	c.send(oneDiskChunk(1, "u-c"))
	waitFor(t, "the newcomer that heard a's chunks not answered", func() bool { return a.deps.stats.discoverySkipped.Load() == 1 })
}
