package gossip

import (
	"slices"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// assembler rebuilds peers' inventories from chunks. A generation is
// delivered whole or not at all: half an inventory is never shown.
// Duplicates, reordering and stale generations are expected. What all
// assemblies hold together is bounded in disks and in bytes.
type assembler struct {
	cfg       *Config
	known     map[string]genID // node → last generation delivered (or seeded)
	parts     map[string]*assembly
	disks     int // disks held in all assemblies
	bytes     int // their estimated size
	evicted   uint64
	expired   uint64
	forgotten uint64 // known generations evicted from a full table
}

// genID names one inventory generation of one instance.
type genID struct {
	instance string
	gen      uint64
}

type assembly struct {
	id       genID
	chunks   int
	got      [][]messages.Disk
	have     int
	disks    int
	bytes    int
	started  time.Time
	progress time.Time // the last chunk stored
	lastAsk  time.Time // our last request for it
	// reqAt is when our request for what is missing is due (zero: none
	// scheduled); backoff doubles its delay after each request sent or
	// suppressed (see repair.go).
	reqAt   time.Time
	backoff int
	tries   int // requests sent since the last chunk stored
}

func newAssembler(cfg *Config) *assembler {
	return &assembler{cfg: cfg, known: map[string]genID{}, parts: map[string]*assembly{}}
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
// stale, and the assembly of a generation we lack (nil when we hold it):
// its sender has sent every chunk, so what is missing is a gap.
func (as *assembler) onAnnounce(e *wire.Envelope, now time.Time) (stale bool, gap *assembly) {
	id := genID{e.Instance, e.Gen}
	if as.known[e.Node] == id {
		return false, nil
	}
	if as.older(e.Node, id) {
		return true, nil
	}
	p := as.parts[e.Node]
	if p == nil || p.id != id || p.chunks != e.Chunks {
		p = as.start(e.Node, id, e.Chunks, now)
	}
	return false, p
}

// missing lists the chunks not yet received: empty (not nil) when none
// was, which asks for all.
func (p *assembly) missing() []int {
	if p.have == 0 {
		return []int{}
	}
	ask := []int{}
	for i, c := range p.got {
		if c == nil {
			ask = append(ask, i)
		}
	}
	return ask
}

// onChunk stores a chunk; when it completes its generation, the whole
// inventory is returned with done set. stale and busy report drops.
func (as *assembler) onChunk(e *wire.Envelope, now time.Time) (disks []messages.Disk, done, stale, busy bool) {
	id := genID{e.Instance, e.Gen}
	if as.known[e.Node] == id {
		return nil, false, false, false // a duplicate of a delivered generation
	}
	if as.older(e.Node, id) {
		return nil, false, true, false
	}
	p := as.parts[e.Node]
	if p == nil || p.id != id || p.chunks != e.Chunks {
		p = as.start(e.Node, id, e.Chunks, now)
	}
	if p.got[e.Index] != nil {
		return nil, false, false, false
	}
	size := disksSize(e.Disks)
	if as.disks+len(e.Disks) > as.cfg.MaxInFlightDisks || as.bytes+size > as.cfg.MaxInFlightBytes ||
		p.disks+len(e.Disks) > wire.MaxDisksPerPeer {
		as.drop(e.Node)
		return nil, false, false, true
	}
	p.got[e.Index] = nonNil(slices.Clip(e.Disks))
	p.have++
	p.disks += len(e.Disks)
	p.bytes += size
	p.progress = now
	as.disks += len(e.Disks)
	as.bytes += size
	if p.have < p.chunks {
		return nil, false, false, false
	}
	all := make([]messages.Disk, 0, p.disks)
	for _, c := range p.got {
		all = append(all, c...)
	}
	as.drop(e.Node)
	as.remember(e.Node, id)
	return all, true, false, false
}

// remember records the generation delivered (or already held) for node.
func (as *assembler) remember(node string, id genID) {
	if _, ok := as.known[node]; !ok && len(as.known) >= as.cfg.MaxKnown {
		evictOne(as.known) // bounded whatever names arrive
		as.forgotten++
	}
	as.known[node] = id
}

func (as *assembler) start(node string, id genID, chunks int, now time.Time) *assembly {
	as.drop(node)
	if len(as.parts) >= as.cfg.MaxAssemblies {
		oldest := ""
		for n, p := range as.parts {
			if oldest == "" || p.started.Before(as.parts[oldest].started) {
				oldest = n
			}
		}
		as.drop(oldest)
		as.evicted++
	}
	p := &assembly{id: id, chunks: chunks, got: make([][]messages.Disk, chunks), started: now, progress: now}
	as.parts[node] = p
	return p
}

func (as *assembler) drop(node string) {
	if p := as.parts[node]; p != nil {
		as.disks -= p.disks
		as.bytes -= p.bytes
		delete(as.parts, node)
	}
}

// forget drops what is held for a node whose instance is gone.
func (as *assembler) forget(node string) {
	as.drop(node)
	delete(as.known, node)
}

// expire abandons the assemblies that made no progress for the timeout.
func (as *assembler) expire(now time.Time) {
	for node, p := range as.parts {
		if now.Sub(p.progress) >= as.cfg.AssemblyTimeout {
			as.drop(node)
			as.expired++
		}
	}
}

// disksSize estimates what a chunk's disks cost to hold, in bytes.
func disksSize(disks []messages.Disk) int {
	const perDisk, perMount = 96, 48 // struct and slice headers
	n := 0
	for _, d := range disks {
		n += perDisk + len(d.UUID) + len(d.Label) + len(d.Device) + len(d.Type)
		for _, m := range d.Mounts {
			n += perMount + len(m.Path) + len(m.FSType)
		}
	}
	return n
}

// nonNil marks a received empty chunk as present.
func nonNil(d []messages.Disk) []messages.Disk {
	if d == nil {
		return []messages.Disk{}
	}
	return d
}
