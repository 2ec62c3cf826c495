package actors

import (
	"strings"

	"github.com/diskd-actors/diskd-actors/messages"
)

// Indexes over Info's disks, so that where, forgetting a peer and status
// cost what they touch, never everything Info knows.

// sightingKey names one disk on one node: the same disk seen on two nodes
// (moved, or a duplicate UUID) has two records.
type sightingKey struct {
	disk, node string
}

// keyIndex maps each name a query can use (a UUID in any case, a label, a
// device) to the records that carry it.
type keyIndex map[string]map[sightingKey]struct{}

// indexNames lists the names under which d is found. Empty fields are not
// names: a query never matches an absent label.
func indexNames(d messages.Disk, f func(string)) {
	if d.UUID != "" {
		f("u:" + strings.ToLower(d.UUID))
	}
	if d.Label != "" {
		f("l:" + d.Label)
	}
	if d.Device != "" {
		f("d:" + d.Device)
	}
}

func (ix keyIndex) add(d messages.Disk, k sightingKey) {
	indexNames(d, func(n string) {
		set := ix[n]
		if set == nil {
			set = map[sightingKey]struct{}{}
			ix[n] = set
		}
		set[k] = struct{}{}
	})
}

func (ix keyIndex) remove(d messages.Disk, k sightingKey) {
	indexNames(d, func(n string) {
		if set := ix[n]; set != nil {
			delete(set, k)
			if len(set) == 0 {
				delete(ix, n)
			}
		}
	})
}

// lookup calls f once for every record that q may name; callers confirm
// with matches.
func (ix keyIndex) lookup(q string, f func(sightingKey)) {
	seen := map[sightingKey]bool{}
	for _, n := range [...]string{"u:" + strings.ToLower(q), "l:" + q, "d:" + q} {
		for k := range ix[n] {
			if !seen[k] {
				seen[k] = true
				f(k)
			}
		}
	}
}

// presentIndex holds every disk some node holds now (this host's and every
// known peer's, down or not), indexed by name, with the nodes holding each
// UUID so that duplicates are found without a walk.
type presentIndex struct {
	disks   map[sightingKey]messages.Disk
	names   keyIndex
	holders map[string]map[string]int // UUID → node → disks
	dups    map[string]struct{}       // UUIDs with more than one holder
}

func newPresentIndex() *presentIndex {
	return &presentIndex{disks: map[sightingKey]messages.Disk{}, names: keyIndex{},
		holders: map[string]map[string]int{}, dups: map[string]struct{}{}}
}

// set replaces what node holds, from before to after; it costs the size of
// both lists.
func (p *presentIndex) set(node string, before, after []messages.Disk) {
	for _, d := range before {
		p.del(node, d)
	}
	for _, d := range after {
		p.put(node, d)
	}
}

func (p *presentIndex) put(node string, d messages.Disk) {
	k := sightingKey{d.Key(), node}
	if old, ok := p.disks[k]; ok {
		p.del(node, old)
	}
	p.disks[k] = d
	p.names.add(d, k)
	if d.UUID == "" {
		return
	}
	u := d.UUID
	h := p.holders[u]
	if h == nil {
		h = map[string]int{}
		p.holders[u] = h
	}
	h[node]++
	if len(h) > 1 {
		p.dups[u] = struct{}{}
	}
}

func (p *presentIndex) del(node string, d messages.Disk) {
	k := sightingKey{d.Key(), node}
	old, ok := p.disks[k]
	if !ok {
		return
	}
	delete(p.disks, k)
	p.names.remove(old, k)
	if old.UUID == "" {
		return
	}
	u := old.UUID
	h := p.holders[u]
	if h[node]--; h[node] <= 0 {
		delete(h, node)
	}
	if len(h) < 2 {
		delete(p.dups, u)
	}
	if len(h) == 0 {
		delete(p.holders, u)
	}
}
