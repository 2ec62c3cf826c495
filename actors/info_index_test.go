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
	if len(p.disks) != 1 || held != 1 {
		t.Errorf("after removals: disks %d, holders of uuid-2 %d", len(p.disks), held)
	}
	p.set("a", []messages.Disk{disk(2)}, nil)
	n = 0
	p.names.lookup("uuid-2", func(*presentRec) { n++ })
	if n != 0 || len(p.disks) != 0 {
		t.Errorf("empty index finds %d, holds %d", n, len(p.disks))
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
