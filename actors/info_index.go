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
	id    string
	label bool
	node  string
}

func keyOf(d messages.Disk, node string) sightingKey {
	if d.UUID != "" {
		return sightingKey{d.UUID, false, node}
	}
	return sightingKey{d.Label, true, node}
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
	return &nameIndex[R]{sets: map[diskName]map[R]struct{}{}}
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
}

func (ix *nameIndex[R]) add(d messages.Disk, r R) {
	indexNames(d, func(n diskName) {
		set := ix.sets[n]
		if set == nil {
			set = map[R]struct{}{}
			ix.sets[n] = set
		}
		set[r] = struct{}{}
	})
}

// remove takes r out at once (for a record that stays alive under other
// names).
func (ix *nameIndex[R]) remove(d messages.Disk, r R) {
	indexNames(d, func(n diskName) {
		if set := ix.sets[n]; set != nil {
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
	var sets [3]map[R]struct{}
	n := 0
	for _, name := range [...]diskName{{'u', strings.ToLower(q)}, {'l', q}, {'d', q}} {
		if set := ix.sets[name]; len(set) > 0 {
			sets[n] = set
			n++
		}
	}
	seen := map[R]bool{}
	for _, set := range sets[:n] {
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
// were seen on two nodes at once, checked again when asked.
type presentIndex struct {
	disks map[sightingKey]*presentRec
	names *nameIndex[*presentRec]
	dups  map[string]struct{} // lower-case UUIDs that may be on more than one node
}

// presentRec is one disk on one node.
type presentRec struct {
	key  sightingKey
	disk messages.Disk
	gone bool
}

func (r *presentRec) removed() bool { return r.gone }

func newPresentIndex() *presentIndex {
	return &presentIndex{disks: map[sightingKey]*presentRec{}, names: newNameIndex[*presentRec](),
		dups: map[string]struct{}{}}
}

// set replaces what node holds, from before to after; it costs the size of
// both lists, and touches the indexes only for disks that changed.
func (p *presentIndex) set(node string, before, after []messages.Disk) {
	if len(before) > 0 && len(after) > 0 {
		next := make(map[sightingKey]messages.Disk, len(after))
		for _, d := range after {
			next[keyOf(d, node)] = d
		}
		for _, d := range before {
			if n, ok := next[keyOf(d, node)]; !ok || !n.Equal(d) {
				p.del(node, d)
			}
		}
	} else {
		for _, d := range before {
			p.del(node, d)
		}
	}
	for _, d := range after {
		if r := p.disks[keyOf(d, node)]; r == nil || !r.disk.Equal(d) {
			p.put(node, d)
		}
	}
}

func (p *presentIndex) put(node string, d messages.Disk) {
	k := keyOf(d, node)
	if _, ok := p.disks[k]; ok {
		p.del(node, d)
	}
	r := &presentRec{key: k, disk: d}
	p.disks[k] = r
	p.names.add(d, r)
	if d.UUID == "" {
		return
	}
	u := strings.ToLower(d.UUID)
	for o := range p.names.sets[diskName{'u', u}] {
		if !o.gone && o.key.node != node {
			p.dups[u] = struct{}{}
			break
		}
	}
}

func (p *presentIndex) del(node string, d messages.Disk) {
	k := keyOf(d, node)
	if r, ok := p.disks[k]; ok {
		delete(p.disks, k)
		r.gone = true
		p.names.gone++
	}
}

// compact rebuilds the name index once most of it is gone; Info calls it
// at the end of a handler, so a batch of removals pays once.
func (p *presentIndex) compact() {
	if !p.names.worthRebuilding(len(p.disks)) {
		return
	}
	p.names = newNameIndex[*presentRec]()
	for _, r := range p.disks {
		p.names.add(r.disk, r)
	}
}

// holders calls f for each live record of UUID u (lower case).
func (p *presentIndex) holders(u string, f func(*presentRec) bool) {
	for r := range p.names.sets[diskName{'u', u}] {
		if !r.gone && !f(r) {
			return
		}
	}
}
