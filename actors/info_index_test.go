package actors

import (
	"fmt"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
)

func disk(i int) messages.Disk {
	return messages.Disk{UUID: fmt.Sprintf("UUID-%d", i), Label: fmt.Sprintf("label %d", i), Device: fmt.Sprintf("/dev/x%d", i)}
}

func lookupNodes(s *sightings, q string) map[string]time.Time {
	out := map[string]time.Time{}
	s.lookup(q, func(sg messages.Sighting) { out[sg.Node] = sg.At })
	return out
}

// Records are found by UUID in any case, label and device; a newer record
// replaces an older one, never the reverse.
func TestSightings_LookupAndReplace(t *testing.T) {
	s := newSightings(10)
	t0 := time.Unix(1000, 0)
	s.put(messages.Sighting{Node: "a", At: t0, Disk: disk(1)})
	for _, q := range []string{"uuid-1", "UUID-1", "label 1", "/dev/x1"} {
		if got := lookupNodes(s, q); len(got) != 1 {
			t.Errorf("lookup %q: got %v, want a", q, got)
		}
	}
	if got := lookupNodes(s, "label"); len(got) != 0 {
		t.Errorf("lookup of a prefix: got %v, want nothing", got)
	}
	s.put(messages.Sighting{Node: "a", At: t0.Add(time.Minute), Disk: disk(1)})
	s.put(messages.Sighting{Node: "a", At: t0.Add(-time.Minute), Disk: disk(1)})
	if got := lookupNodes(s, "label 1")["a"]; !got.Equal(t0.Add(time.Minute)) {
		t.Errorf("after replace: at %v, want %v", got, t0.Add(time.Minute))
	}
	if s.len() != 1 || len(s.order)-s.dead != 1 {
		t.Errorf("one disk on one node: %d records, heap %d", s.len(), len(s.order))
	}
}

// At the cap the oldest record goes; expire drops those before a cutoff;
// removeNode drops one node's records and no other's.
func TestSightings_EvictExpireRemoveNode(t *testing.T) {
	s := newSightings(3)
	t0 := time.Unix(1000, 0)
	for i := range 4 {
		if n := s.put(messages.Sighting{Node: "a", At: t0.Add(time.Duration(i) * time.Second), Disk: disk(i)}); n != min(1, i/3) {
			t.Errorf("put %d: evicted %d", i, n)
		}
	}
	if s.len() != 3 || len(lookupNodes(s, "label 0")) != 0 {
		t.Fatalf("after 4 puts at cap 3: %d records, oldest kept: %v", s.len(), lookupNodes(s, "label 0"))
	}
	s.put(messages.Sighting{Node: "b", At: t0.Add(10 * time.Second), Disk: disk(1)}) // evicts a's disk 1
	if n := s.expire(t0.Add(3 * time.Second)); n != 1 {                              // a's disk 2
		t.Errorf("expire: dropped %d, want 1", n)
	}
	s.removeNode("a")
	if s.len() != 1 || len(s.byNode) != 1 || len(lookupNodes(s, "label 1")) != 1 {
		t.Errorf("after removeNode a: %d records, nodes %v", s.len(), s.byNode)
	}
	s.removeNode("b")
	if s.len() != 0 || len(lookupNodes(s, "label 1")) != 0 || s.oldest() != nil || len(s.order) != 0 {
		t.Errorf("empty store finds %v, heap %d", lookupNodes(s, "label 1"), len(s.order))
	}
}

// The present index finds disks by name, notes UUIDs on more than one
// node, and forgets a node's disks.
func TestPresentIndex_SetAndDuplicates(t *testing.T) {
	p := newPresentIndex()
	p.set("a", nil, []messages.Disk{disk(1), disk(2)})
	p.set("b", nil, []messages.Disk{disk(2)})
	if len(p.dups) != 1 {
		t.Errorf("dups: got %v, want UUID-2", p.dups)
	}
	n := 0
	p.names.lookup("uuid-2", func(*presentRec) { n++ })
	if n != 2 {
		t.Errorf("lookup uuid-2: %d records, want 2", n)
	}
	p.set("b", []messages.Disk{disk(2)}, nil)
	p.set("a", []messages.Disk{disk(1), disk(2)}, []messages.Disk{disk(2)})
	held := 0
	p.holders("uuid-2", func(*presentRec) bool { held++; return true })
	if p.len() != 1 || held != 1 {
		t.Errorf("after removals: disks %d, holders of uuid-2 %d", p.len(), held)
	}
	p.set("a", []messages.Disk{disk(2)}, nil)
	n = 0
	p.names.lookup("uuid-2", func(*presentRec) { n++ })
	if n != 0 || p.len() != 0 {
		t.Errorf("empty index finds %d, holds %d", n, p.len())
	}
}

// Removed records are skipped at once and dropped from the name index
// once they outnumber the living.
func TestNameIndex_RebuiltWhenMostlyGone(t *testing.T) {
	s := newSightings(0)
	t0 := time.Unix(1000, 0)
	for i := range 3000 {
		s.put(messages.Sighting{Node: fmt.Sprintf("n%d", i), At: t0, Disk: disk(1)})
	}
	for i := range 2999 {
		s.removeNode(fmt.Sprintf("n%d", i))
	}
	s.compact()
	if got := lookupNodes(s, "label 1"); len(got) != 1 {
		t.Errorf("lookup: %d records, want 1", len(got))
	}
	if n := len(s.names.sets[diskName{'l', "label 1"}]); n >= 2000 {
		t.Errorf("name set holds %d records, want the dead dropped", n)
	}
	if len(s.order) >= 2000 {
		t.Errorf("heap holds %d records, want the dead dropped", len(s.order))
	}
}

// A forgotten node's records are dropped whole; the node's later records
// are its own, and expiry and the heap count the dropped ones right.
func TestSightings_NodeForgottenThenBack(t *testing.T) {
	s := newSightings(10)
	t0 := time.Unix(1000, 0)
	s.put(messages.Sighting{Node: "a", At: t0, Disk: disk(1)})
	s.put(messages.Sighting{Node: "a", At: t0.Add(time.Second), Disk: disk(2)})
	s.put(messages.Sighting{Node: "b", At: t0.Add(2 * time.Second), Disk: disk(1)})
	s.removeNode("a")
	s.removeNode("a") // twice: nothing more goes
	if got := lookupNodes(s, "label 1"); s.len() != 1 || len(got) != 1 || got["b"].IsZero() {
		t.Fatalf("after removeNode a: %d records, label 1 on %v", s.len(), got)
	}
	s.put(messages.Sighting{Node: "a", At: t0.Add(3 * time.Second), Disk: disk(1)})
	if got := lookupNodes(s, "label 1"); s.len() != 2 || !got["a"].Equal(t0.Add(3*time.Second)) || len(lookupNodes(s, "label 2")) != 0 {
		t.Fatalf("a back: %d records, label 1 on %v, label 2 on %v", s.len(), got, lookupNodes(s, "label 2"))
	}
	if n := s.expire(t0.Add(2500 * time.Millisecond)); n != 1 || s.len() != 1 || len(lookupNodes(s, "label 1")) != 1 {
		t.Errorf("expire: dropped %d, %d left", n, s.len())
	}
	if r := s.oldest(); r == nil || r.Node != "a" || len(s.order)-s.dead != 1 {
		t.Errorf("oldest %v, heap %d with %d dead", r, len(s.order), s.dead)
	}
}

// Expiry after most records were forgotten compacts the heap rather than
// popping the dead one by one, and still expires the living in order.
func TestSightings_ExpireAfterMostForgotten(t *testing.T) {
	s := newSightings(0)
	t0 := time.Unix(1000, 0)
	for i := range 3000 {
		s.put(messages.Sighting{Node: fmt.Sprintf("n%d", i), At: t0.Add(time.Duration(3000-i) * time.Second), Disk: disk(i)})
	}
	for i := range 2998 {
		s.removeNode(fmt.Sprintf("n%d", i))
	}
	if n := s.expire(t0); n != 0 || len(s.order) != 2 || s.dead != 0 {
		t.Fatalf("expire of nothing: dropped %d, heap %d with %d dead", n, len(s.order), s.dead)
	}
	if n := s.expire(t0.Add(1500 * time.Millisecond)); n != 1 || s.len() != 1 || len(lookupNodes(s, "label 2998")) != 1 {
		t.Errorf("expire: dropped %d, %d left, label 2998 on %v", n, s.len(), lookupNodes(s, "label 2998"))
	}
	s.removeNode("n2998")
	s.compact()
	if s.len() != 0 || s.oldest() != nil || len(s.order) != 0 || s.dead != 0 {
		t.Errorf("empty: %d records, heap %d with %d dead", s.len(), len(s.order), s.dead)
	}
}

// A node left with no disks is dropped whole from the present index; its
// names find nothing of it, other nodes keep theirs, and it can come back.
func TestPresentIndex_NodeDroppedWhole(t *testing.T) {
	p := newPresentIndex()
	p.set("a", nil, []messages.Disk{disk(1), disk(2)})
	p.set("b", nil, []messages.Disk{disk(2)})
	p.set("a", []messages.Disk{disk(1), disk(2)}, nil)
	n, held := 0, 0
	p.names.lookup("uuid-1", func(*presentRec) { n++ })
	p.holders("uuid-2", func(r *presentRec) bool { held++; return r.key.node == "b" })
	if n != 0 || held != 1 || p.len() != 1 || p.get(keyOf(disk(1), "a")) != nil || p.get(keyOf(disk(2), "b")) == nil {
		t.Fatalf("after dropping a: uuid-1 on %d, uuid-2 on %d, %d held", n, held, p.len())
	}
	p.set("a", nil, []messages.Disk{disk(1)})
	n = 0
	p.names.lookup("label 1", func(r *presentRec) { n++ })
	if n != 1 || p.len() != 2 {
		t.Errorf("a back: label 1 on %d, %d held", n, p.len())
	}
	for i := range 2000 {
		node := fmt.Sprintf("n%d", i)
		p.set(node, nil, []messages.Disk{disk(3)})
		p.set(node, []messages.Disk{disk(3)}, nil)
	}
	p.compact()
	if s := len(p.names.sets[diskName{'l', "label 3"}]); s != 0 || p.names.gone != 0 || p.len() != 2 {
		t.Errorf("after compact: %d records under label 3, %d gone, %d held", s, p.names.gone, p.len())
	}
}
