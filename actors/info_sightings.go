package actors

import (
	"container/heap"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
)

// sightings are the last-seen records of disks that their node no longer
// holds (removed from its inventory). A disk a known node still holds needs
// no record: its last-seen time is the node's last-heard time, so an
// announce costs nothing here. A forgotten node's records go with it. Every
// operation costs O(log n) per record touched: records are indexed by node
// (forgetting a peer), by name (where) and by time in a heap (expiry and
// eviction at the cap of the oldest first).
type sightings struct {
	recs   map[sightingKey]*sightingRec
	byNode map[string]map[string]*sightingRec // node → disk key
	names  keyIndex
	order  sightHeap
	max    int
}

type sightingRec struct {
	messages.Sighting
	key sightingKey
	idx int // position in the heap
}

func newSightings(max int) *sightings {
	return &sightings{recs: map[sightingKey]*sightingRec{}, byNode: map[string]map[string]*sightingRec{},
		names: keyIndex{}, max: max}
}

func (s *sightings) len() int { return len(s.recs) }

// put records that s.Node held s.Disk at s.At, replacing an older record of
// the same disk on the same node; at the cap the oldest record goes. It
// reports how many records were evicted.
func (s *sightings) put(sg messages.Sighting) (evicted int) {
	k := sightingKey{sg.Disk.Key(), sg.Node}
	if r := s.recs[k]; r != nil {
		if sg.At.Before(r.At) {
			return 0 // never move a record back in time
		}
		s.names.remove(r.Disk, k)
		r.Sighting = sg
		s.names.add(sg.Disk, k)
		heap.Fix(&s.order, r.idx)
		return 0
	}
	r := &sightingRec{Sighting: sg, key: k}
	s.recs[k] = r
	n := s.byNode[k.node]
	if n == nil {
		n = map[string]*sightingRec{}
		s.byNode[k.node] = n
	}
	n[k.disk] = r
	s.names.add(sg.Disk, k)
	heap.Push(&s.order, r)
	for s.max > 0 && len(s.recs) > s.max {
		s.remove(s.order[0].key)
		evicted++
	}
	return evicted
}

// remove drops the record of one disk on one node, if any.
func (s *sightings) remove(k sightingKey) {
	r := s.recs[k]
	if r == nil {
		return
	}
	delete(s.recs, k)
	if n := s.byNode[k.node]; n != nil {
		delete(n, k.disk)
		if len(n) == 0 {
			delete(s.byNode, k.node)
		}
	}
	s.names.remove(r.Disk, k)
	heap.Remove(&s.order, r.idx)
}

// removeNode drops every record of node.
func (s *sightings) removeNode(node string) {
	for disk := range s.byNode[node] {
		s.remove(sightingKey{disk, node})
	}
}

// expire drops records older than cutoff, oldest first; it stops at the
// first younger one.
func (s *sightings) expire(cutoff time.Time) (n int) {
	for len(s.order) > 0 && s.order[0].At.Before(cutoff) {
		s.remove(s.order[0].key)
		n++
	}
	return n
}

// lookup calls f for each record that q may name.
func (s *sightings) lookup(q string, f func(messages.Sighting)) {
	s.names.lookup(q, func(k sightingKey) { f(s.recs[k].Sighting) })
}

// all calls f for every record, in no order (for the state file).
func (s *sightings) all(f func(messages.Sighting)) {
	for _, r := range s.recs {
		f(r.Sighting)
	}
}

// sightHeap orders records by time, oldest first.
type sightHeap []*sightingRec

func (h sightHeap) Len() int           { return len(h) }
func (h sightHeap) Less(i, j int) bool { return h[i].At.Before(h[j].At) }
func (h sightHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].idx, h[j].idx = i, j
}
func (h *sightHeap) Push(x any) {
	r := x.(*sightingRec)
	r.idx = len(*h)
	*h = append(*h, r)
}
func (h *sightHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return r
}
