package gossip

import (
	"fmt"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// FuzzEngine drives the engine with random sequences of valid envelopes
// from a few senders (each byte triple is one datagram) and checks what
// must always hold: no panic, an inventory is delivered whole and of one
// generation, and what assemblies hold stays accounted and bounded.
func FuzzEngine(f *testing.F) {
	f.Add([]byte{0, 1, 0, 1, 1, 0, 1, 1, 1})
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 255, 254, 253})
	f.Add([]byte{5, 0, 0, 5, 0, 0, 5, 0, 0, 6, 1, 1, 7, 2, 2, 2, 2, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		e := New(Config{Node: self, Instance: selfID, MaxAssemblies: 2, MaxInFlightDisks: 6, MaxKnown: 3,
			MaxWindows: 3, MaxSources: 3, SeedWait: time.Second})
		now := t0
		seq := map[string]uint64{}
		for i := 0; i+2 < len(b); i += 3 {
			op, x, y := b[i], b[i+1], b[i+2]
			node := string('a' + rune(x%3))
			inst := fmt.Sprintf("%016x", 1+(x/3)%2)
			key := node + inst
			seq[key]++
			s := seq[key]
			if y&0x80 != 0 {
				s = uint64(y & 0x7f) // replays and reordering
			}
			gen := uint64(1 + y%3)
			chunks := int(1 + gen%3)
			src := fmt.Sprintf("10.0.0.%d:1", x%4)
			now = now.Add(time.Duration(op>>4) * 50 * time.Millisecond)
			var acts []Action
			switch op % 8 {
			case 0, 1:
				acts = e.Receive(now, src, ann(node, inst, s, gen, chunks))
			case 2, 3, 4:
				idx := int(y/3) % chunks
				acts = e.Receive(now, src, chunk(node, inst, s, gen, chunks, idx, fmt.Sprintf("%d-%d", gen, idx)))
			case 5:
				acts = e.Receive(now, src, kind([]string{wire.KindGoodbye, wire.KindPing}[y%2], node, inst, s))
			case 6:
				e.SetLocal(gen, chunks)
				acts = e.Receive(now, src, req(node, inst, s, self, gen, int(y%5)))
			case 7:
				if y%2 == 0 {
					acts = e.Tick(now)
				} else {
					acts = e.Seed(now, []PeerGen{{Node: node, Instance: inst, Gen: gen}})
				}
			}
			for _, a := range acts {
				checkAction(t, a)
			}
			checkAccounting(t, e.asm)
			st := e.Stats()
			if st.Assemblies > 2 || st.InFlightDisks > 6 || st.Known > 3 || st.Windows > 3 || st.Sources > 3 || len(e.modern) > 3 {
				t.Fatalf("over a bound: %+v", st)
			}
		}
	})
}

func checkAction(t *testing.T, a Action) {
	t.Helper()
	switch a := a.(type) {
	case Deliver:
		if !a.Full {
			return
		}
		chunks := int(1 + a.Gen%3)
		want := make([]messages.Disk, chunks)
		for i := range want {
			want[i] = messages.Disk{UUID: fmt.Sprintf("%d-%d", a.Gen, i)}
		}
		if fmt.Sprint(a.Disks) != fmt.Sprint(want) {
			t.Fatalf("generation %d delivered as %v, want %v", a.Gen, a.Disks, want)
		}
	case Resend:
		for _, i := range a.Chunks {
			if i < 0 || i >= wire.MaxChunks {
				t.Fatalf("resend of chunk %d", i)
			}
		}
	}
}
