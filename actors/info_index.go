package actors

import (
	"strings"

	"github.com/diskd-actors/diskd-actors/messages"
)

// Indexes over Info's disks, so that where, forgetting a peer and status
// cost what they touch, never everything Info knows.

// sightingKey names one disk on one node: the same disk seen on two nodes
// (moved, or a duplicate UUID) has two records. A disk is its UUID, or its
// label when it has none (messages.Disk.Key), without building a string.
type sightingKey struct {
	diskKey
	node string
}

// diskKey names a disk within one node's records.
type diskKey struct {
	id    string
	label bool
}

func keyOf(d messages.Disk, node string) sightingKey {
	return sightingKey{diskKeyOf(d), node}
}

func diskKeyOf(d messages.Disk) diskKey {
	if d.UUID != "" {
		return diskKey{d.UUID, false}
	}
	return diskKey{d.Label, true}
}

// nameIndex maps each name a query can use (a UUID in any case, a label, a
// device) to the records that carry it. Records are pointers, so that the
// sets hash a word, not strings. A removed record is only counted here
// (the caller marks it gone) and skipped by lookups; once the gone
// outnumber the living, the owner rebuilds the index from the living, so
// a removal costs O(1) amortized and forgetting a peer never walks the
// index.
type nameIndex[R indexed] struct {
	sets map[diskName]map[R]struct{}
	gone int // removed records still in sets
	// models counts the records under each model name ('m'), so that a
	// model substring costs the distinct models, not the disks.
	models map[string]int
}

// indexed is a record of a nameIndex.
type indexed interface {
	comparable
	removed() bool
}

// diskName is one name of a disk: kind 'u' (lower-case UUID), 'l' (label)
// or 'd' (device).
type diskName struct {
	kind byte
	s    string
}

func newNameIndex[R indexed]() *nameIndex[R] {
	return &nameIndex[R]{sets: map[diskName]map[R]struct{}{}, models: map[string]int{}}
}

// indexNames lists the names under which d is found. Empty fields are not
// names: a query never matches an absent label.
func indexNames(d messages.Disk, f func(diskName)) {
	if d.UUID != "" {
		f(diskName{'u', strings.ToLower(d.UUID)})
	}
	if d.Label != "" {
		f(diskName{'l', d.Label})
	}
	if d.Device != "" {
		f(diskName{'d', d.Device})
	}
	identityNames(d.Identity, f)
}

func (ix *nameIndex[R]) add(d messages.Disk, r R) {
	indexNames(d, func(n diskName) {
		set := ix.sets[n]
		if set == nil {
			set = map[R]struct{}{}
			ix.sets[n] = set
		}
		if _, had := set[r]; !had && n.kind == 'm' {
			ix.models[n.s]++
		}
		set[r] = struct{}{}
	})
}

// remove takes r out at once (for a record that stays alive under other
// names).
func (ix *nameIndex[R]) remove(d messages.Disk, r R) {
	indexNames(d, func(n diskName) {
		if set := ix.sets[n]; set != nil {
			if _, had := set[r]; had && n.kind == 'm' {
				if ix.models[n.s]--; ix.models[n.s] <= 0 {
					delete(ix.models, n.s)
				}
			}
			delete(set, r)
			if len(set) == 0 {
				delete(ix.sets, n)
			}
		}
	})
}

// worthRebuilding reports whether enough records are gone that rebuilding
// from the live ones (in their time) pays for itself.
func (ix *nameIndex[R]) worthRebuilding(live int) bool { return ix.gone > live+1024 }

// lookup calls f once for every live record that q may name; callers
// confirm with matches.
func (ix *nameIndex[R]) lookup(q string, f func(R)) {
	var buf [8]map[R]struct{}
	sets := buf[:0]
	for _, name := range [...]diskName{{'u', strings.ToLower(q)}, {'l', q}, {'d', q}} {
		if set := ix.sets[name]; len(set) > 0 {
			sets = append(sets, set)
		}
	}
	sets = ix.identitySets(q, sets)
	n := len(sets)
	seen := map[R]bool{}
	for _, set := range sets {
		for r := range set {
			if !r.removed() && (n == 1 || !seen[r]) {
				if n > 1 {
					seen[r] = true
				}
				f(r)
			}
		}
	}
}

// presentIndex holds every disk some node holds now (this host's and every
// known peer's, down or not), indexed by name. dups lists the UUIDs that
// were seen on two nodes at once, checked again when asked. Records are
// grouped by node, so that a node whose disks all go (a forgotten peer) is
// dropped whole: one map delete and a flag its records read, never a walk
// of its records.
type presentIndex struct {
	nodes map[string]*presentNode
	n     int // live records
	names *nameIndex[*presentRec]
	dups  map[string]struct{} // lower-case UUIDs that may be on more than one node
}

// presentNode is what one node holds; gone once the node was dropped whole.
type presentNode struct {
	recs map[diskKey]*presentRec
	gone bool
}

// presentRec is one disk on one node.
type presentRec struct {
	key  sightingKey
	disk messages.Disk
	node *presentNode
	gone bool
}

func (r *presentRec) removed() bool { return r.gone || r.node.gone }

func newPresentIndex() *presentIndex {
	return &presentIndex{nodes: map[string]*presentNode{}, names: newNameIndex[*presentRec](),
		dups: map[string]struct{}{}}
}

// len is the number of disks held.
func (p *presentIndex) len() int { return p.n }

// get is the record of one disk on one node, nil if the node does not hold
// it.
func (p *presentIndex) get(k sightingKey) *presentRec {
	if n := p.nodes[k.node]; n != nil {
		return n.recs[k.diskKey]
	}
	return nil
}

// set replaces what node holds, from before to after; it costs the size of
// both lists, and touches the indexes only for disks that changed. A node
// left with nothing is dropped whole, in O(1).
func (p *presentIndex) set(node string, before, after []messages.Disk) {
	if len(after) == 0 {
		p.dropNode(node)
		return
	}
	if len(before) > 0 {
		next := make(map[diskKey]messages.Disk, len(after))
		for _, d := range after {
			next[diskKeyOf(d)] = d
		}
		for _, d := range before {
			if n, ok := next[diskKeyOf(d)]; !ok || !n.Equal(d) {
				p.del(node, d)
			}
		}
	}
	for _, d := range after {
		if r := p.get(keyOf(d, node)); r == nil || !r.disk.Equal(d) {
			p.put(node, d)
		}
	}
}

// dropNode forgets everything node holds: its records read the node's flag
// and are skipped by lookups until compact drops them.
func (p *presentIndex) dropNode(node string) {
	n := p.nodes[node]
	if n == nil {
		return
	}
	n.gone = true
	p.names.gone += len(n.recs)
	p.n -= len(n.recs)
	delete(p.nodes, node)
}

func (p *presentIndex) put(node string, d messages.Disk) {
	k := keyOf(d, node)
	if p.get(k) != nil {
		p.del(node, d)
	}
	n := p.nodes[node]
	if n == nil {
		n = &presentNode{recs: map[diskKey]*presentRec{}}
		p.nodes[node] = n
	}
	r := &presentRec{key: k, disk: d, node: n}
	n.recs[k.diskKey] = r
	p.n++
	p.names.add(d, r)
	if d.UUID == "" {
		return
	}
	u := strings.ToLower(d.UUID)
	for o := range p.names.sets[diskName{'u', u}] {
		if !o.removed() && o.key.node != node {
			p.dups[u] = struct{}{}
			break
		}
	}
}

func (p *presentIndex) del(node string, d messages.Disk) {
	n := p.nodes[node]
	if n == nil {
		return
	}
	k := diskKeyOf(d)
	if r, ok := n.recs[k]; ok {
		delete(n.recs, k)
		r.gone = true
		p.names.gone++
		p.n--
		if len(n.recs) == 0 {
			delete(p.nodes, node)
		}
	}
}

// compact rebuilds the name index once most of it is gone; Info calls it
// at the end of a handler, so a batch of removals pays once.
func (p *presentIndex) compact() {
	if !p.names.worthRebuilding(p.n) {
		return
	}
	p.names = newNameIndex[*presentRec]()
	for _, n := range p.nodes {
		for _, r := range n.recs {
			p.names.add(r.disk, r)
		}
	}
}

// holders calls f for each live record of UUID u (lower case).
func (p *presentIndex) holders(u string, f func(*presentRec) bool) {
	for r := range p.names.sets[diskName{'u', u}] {
		if !r.removed() && !f(r) {
			return
		}
	}
}
