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
// eviction at the cap of the oldest first). A removed record stays in the
// heap, marked dead, until it reaches the top or the dead outnumber the
// living (then the heap is compacted): removing a node's records costs no
// walk of the heap, nor of its records (they read their node's flag).
type sightings struct {
	byNode map[string]*nodeSightings
	n      int // live records
	names  *nameIndex[*sightingRec]
	order  sightHeap
	dead   int // removed records still in the heap
	max    int
}

// nodeSightings are one node's records; dead once the node was dropped
// whole (forgotten), which its records read instead of being marked one by
// one.
type nodeSightings struct {
	recs map[diskKey]*sightingRec
	dead bool
}

type sightingRec struct {
	messages.Sighting
	key  sightingKey
	node *nodeSightings
	idx  int  // position in the heap
	dead bool // removed; popped when it reaches the top
}

func newSightings(max int) *sightings {
	return &sightings{byNode: map[string]*nodeSightings{}, names: newNameIndex[*sightingRec](), max: max}
}

func (s *sightings) len() int { return s.n }

// put records that s.Node held s.Disk at s.At, replacing an older record of
// the same disk on the same node; at the cap the oldest record goes. It
// reports how many records were evicted.
func (s *sightings) put(sg messages.Sighting) (evicted int) {
	k := keyOf(sg.Disk, sg.Node)
	n := s.byNode[k.node]
	if r := n.get(k.diskKey); r != nil {
		if sg.At.Before(r.At) {
			return 0 // never move a record back in time
		}
		s.names.remove(r.Disk, r)
		r.Sighting = sg
		s.names.add(sg.Disk, r)
		heap.Fix(&s.order, r.idx)
		return 0
	}
	if n == nil {
		n = &nodeSightings{recs: map[diskKey]*sightingRec{}}
		s.byNode[k.node] = n
	}
	r := &sightingRec{Sighting: sg, key: k, node: n}
	n.recs[k.diskKey] = r
	s.n++
	s.names.add(sg.Disk, r)
	heap.Push(&s.order, r)
	for s.max > 0 && s.n > s.max {
		s.remove(s.oldest().key)
		evicted++
	}
	return evicted
}

func (n *nodeSightings) get(k diskKey) *sightingRec {
	if n == nil {
		return nil
	}
	return n.recs[k]
}

// remove drops the record of one disk on one node, if any; it stays in the
// name index and the heap, marked dead, until compact or the top of the
// heap.
func (s *sightings) remove(k sightingKey) {
	n := s.byNode[k.node]
	r := n.get(k.diskKey)
	if r == nil {
		return
	}
	delete(n.recs, k.diskKey)
	if len(n.recs) == 0 {
		delete(s.byNode, k.node)
	}
	r.dead = true
	s.names.gone++
	s.dead++
	s.n--
}

func (r *sightingRec) removed() bool { return r.dead || r.node.dead }

// oldest is the oldest live record, nil when there is none; dead records
// on top of the heap are dropped on the way.
func (s *sightings) oldest() *sightingRec {
	for len(s.order) > 0 && s.order[0].removed() {
		heap.Pop(&s.order)
		s.dead--
	}
	if len(s.order) == 0 {
		return nil
	}
	return s.order[0]
}

// compact drops the dead from the name index and the heap once they
// outnumber the living, in the time of the living; Info calls it at the end
// of a handler, so a removal costs O(1) amortized and a batch pays once.
func (s *sightings) compact() {
	if s.names.worthRebuilding(s.n) {
		s.names = newNameIndex[*sightingRec]()
		for _, n := range s.byNode {
			for _, r := range n.recs {
				s.names.add(r.Disk, r)
			}
		}
	}
	s.compactHeap()
}

// compactHeap drops the dead from the heap once they outnumber the living:
// in the time of the heap, which is less than twice the dead, and at once
// when nothing lives.
func (s *sightings) compactHeap() {
	switch {
	case s.dead <= s.n+1024:
		return
	case s.n == 0:
		s.order, s.dead = nil, 0
		return
	}
	live := s.order[:0]
	for _, r := range s.order {
		if !r.removed() {
			live = append(live, r)
		}
	}
	clear(s.order[len(live):])
	s.order, s.dead = live, 0
	for i, r := range s.order {
		r.idx = i
	}
	heap.Init(&s.order)
}

// removeNode drops every record of node in O(1): they read the node's flag.
func (s *sightings) removeNode(node string) {
	n := s.byNode[node]
	if n == nil {
		return
	}
	n.dead = true
	s.names.gone += len(n.recs)
	s.dead += len(n.recs)
	s.n -= len(n.recs)
	delete(s.byNode, node)
}

// expire drops records older than cutoff, oldest first; it stops at the
// first younger one. Dead records that outnumber the living are compacted
// away first rather than popped one at a time.
func (s *sightings) expire(cutoff time.Time) (n int) {
	s.compactHeap()
	for r := s.oldest(); r != nil && r.At.Before(cutoff); r = s.oldest() {
		s.remove(r.key)
		n++
	}
	return n
}

// lookup calls f for each record that q may name.
func (s *sightings) lookup(q string, f func(messages.Sighting)) {
	s.names.lookup(q, func(r *sightingRec) { f(r.Sighting) })
}

// all calls f for every record, in no order (for the state file).
func (s *sightings) all(f func(messages.Sighting)) {
	for _, n := range s.byNode {
		for _, r := range n.recs {
			f(r.Sighting)
		}
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
