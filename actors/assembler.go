package actors

import (
	"slices"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// Limits of the assembler, so that memory stays bounded whatever arrives.
const (
	maxAssemblies    = 1024   // inventories in progress at once
	maxBufferedDisks = 200000 // disks held in all of them together
	askEvery         = 200 * time.Millisecond
)

// assembler rebuilds peers' inventories from chunks. It runs in
// MulticastServer's reader goroutine only, so it needs no lock. A
// generation is delivered whole or not at all: half an inventory is never
// shown. Duplicates, reordering and stale generations are expected.
type assembler struct {
	now      func() time.Time
	known    map[string]genID // node → last generation delivered
	parts    map[string]*assembly
	buffered int
}

// genID names one inventory generation of one instance.
type genID struct {
	instance string
	gen      uint64
}

type assembly struct {
	id      genID
	chunks  int
	got     [][]messages.Disk
	have    int
	disks   int
	started time.Time
	lastAsk time.Time
}

func newAssembler(now func() time.Time) *assembler {
	return &assembler{now: now, known: map[string]genID{}, parts: map[string]*assembly{}}
}

// older reports whether id is older than what is held for node.
func (as *assembler) older(node string, id genID) bool {
	if k, ok := as.known[node]; ok && k.instance == id.instance && id.gen < k.gen {
		return true
	}
	p := as.parts[node]
	return p != nil && p.id.instance == id.instance && id.gen < p.id.gen
}

// onAnnounce handles a summary. It reports whether the generation is
// stale, and the chunk indexes to request (nil: nothing to ask; empty:
// all).
func (as *assembler) onAnnounce(e *wire.Envelope) (stale bool, ask []int) {
	id := genID{e.Instance, e.Gen}
	if as.known[e.Node] == id {
		return false, nil
	}
	if as.older(e.Node, id) {
		return true, nil
	}
	now := as.now()
	p := as.parts[e.Node]
	if p == nil || p.id != id || p.chunks != e.Chunks {
		p = as.start(e.Node, id, e.Chunks, now)
		p.lastAsk = now
		return false, []int{}
	}
	if now.Sub(p.lastAsk) < askEvery {
		return false, nil
	}
	p.lastAsk = now
	for i, c := range p.got {
		if c == nil {
			ask = append(ask, i)
		}
	}
	return false, ask
}

// onChunk stores a chunk; when it completes its generation, the whole
// inventory is returned with done set. stale and bad report drops.
func (as *assembler) onChunk(e *wire.Envelope) (disks []messages.Disk, done, stale, busy bool) {
	id := genID{e.Instance, e.Gen}
	if as.known[e.Node] == id {
		return nil, false, false, false // a duplicate of a delivered generation
	}
	if as.older(e.Node, id) {
		return nil, false, true, false
	}
	p := as.parts[e.Node]
	if p == nil || p.id != id || p.chunks != e.Chunks {
		p = as.start(e.Node, id, e.Chunks, as.now())
	}
	if p.got[e.Index] != nil {
		return nil, false, false, false
	}
	if as.buffered+len(e.Disks) > maxBufferedDisks || p.disks+len(e.Disks) > wire.MaxDisksPerPeer {
		as.drop(e.Node)
		return nil, false, false, true
	}
	p.got[e.Index] = nonNil(slices.Clip(e.Disks))
	p.have++
	p.disks += len(e.Disks)
	as.buffered += len(e.Disks)
	if p.have < p.chunks {
		return nil, false, false, false
	}
	all := make([]messages.Disk, 0, p.disks)
	for _, c := range p.got {
		all = append(all, c...)
	}
	as.drop(e.Node)
	if len(as.known) >= 2*maxPeers {
		evictOne(as.known) // bounded whatever names arrive
	}
	as.known[e.Node] = id
	return all, true, false, false
}

func (as *assembler) start(node string, id genID, chunks int, now time.Time) *assembly {
	as.drop(node)
	if len(as.parts) >= maxAssemblies {
		oldest := ""
		for n, p := range as.parts {
			if oldest == "" || p.started.Before(as.parts[oldest].started) {
				oldest = n
			}
		}
		as.drop(oldest)
	}
	p := &assembly{id: id, chunks: chunks, got: make([][]messages.Disk, chunks), started: now}
	as.parts[node] = p
	return p
}

func (as *assembler) drop(node string) {
	if p := as.parts[node]; p != nil {
		as.buffered -= p.disks
		delete(as.parts, node)
	}
}

// forget drops what is held for a node whose instance is gone.
func (as *assembler) forget(node string) {
	as.drop(node)
	delete(as.known, node)
}
