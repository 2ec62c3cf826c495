package loadgen

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// peer is one simulated daemon. Its identity and templates are fixed by
// New; its sending state (seq, gen, pos, resent) belongs to the worker that
// owns the peer's socket.
type peer struct {
	node, instance string
	chunks         []*template // one per chunk index
	announce       *template

	seq      uint64
	gen      uint64
	pos      int         // Flood: the next datagram of gen; len(chunks) is the announce
	resent   []time.Time // when each chunk was last resent on request
	announAt time.Time   // when the announce was last resent on request
}

func newPeer(i int, node, instance string, disks []messages.Disk, key []byte) (*peer, error) {
	parts, err := wire.SplitInventory(node, instance, Agent, disks)
	if err != nil {
		return nil, fmt.Errorf("loadgen: peer %d: %w", i, err)
	}
	p := &peer{node: node, instance: instance, gen: 1, resent: make([]time.Time, len(parts))}
	for idx, part := range parts {
		t, err := newTemplate(&wire.Envelope{Kind: wire.KindChunk, Node: node, Instance: instance,
			Agent: Agent, Chunks: len(parts), Index: idx, Disks: part}, key)
		if err != nil {
			return nil, fmt.Errorf("loadgen: peer %d chunk %d: %w", i, idx, err)
		}
		p.chunks = append(p.chunks, t)
	}
	p.announce, err = newTemplate(&wire.Envelope{Kind: wire.KindAnnounce, Node: node, Instance: instance,
		Agent: Agent, Chunks: len(parts), Digest: wire.Digest(disks), Count: len(disks)}, key)
	if err != nil {
		return nil, fmt.Errorf("loadgen: peer %d announce: %w", i, err)
	}
	return p, nil
}

// build appends datagram idx of the current generation (a chunk index, or
// -1 for the announce) with the next sequence number to dst.
func (p *peer) build(dst []byte, idx int, mac hash.Hash) []byte {
	t := p.announce
	if idx >= 0 {
		t = p.chunks[idx]
	}
	p.seq++
	return t.build(dst, p.seq, p.gen, mac)
}

// next appends the next datagram of a Flood: the chunks of a generation in
// order, then its announce, then the next generation.
func (p *peer) next(dst []byte, mac hash.Hash) []byte {
	idx := p.pos
	if idx == len(p.chunks) {
		idx = -1
	}
	b := p.build(dst, idx, mac)
	if p.pos++; p.pos > len(p.chunks) {
		p.pos = 0
		p.gen++
	}
	return b
}

// nextAnnounce appends the next datagram of a FloodAnnounces: the chunks
// of the first generation, then its announce again and again.
func (p *peer) nextAnnounce(dst []byte, mac hash.Hash) []byte {
	if p.pos < len(p.chunks) {
		p.pos++
		return p.build(dst, p.pos-1, mac)
	}
	return p.build(dst, -1, mac)
}

// Sentinels put in a template where the sequence number and the generation
// go: 20 digits each, the most a uint64 takes, so that every datagram built
// from the template is at most as large as the template, which
// SplitInventory sized with the largest numbers.
const (
	seqSentinel = 11111111111111111111
	genSentinel = 12121212121212121212
)

// template is a datagram encoded by wire.EncodeDatagram with sentinel
// sequence and generation numbers, cut around them so that datagrams with
// real numbers are built by appending, without encoding JSON again. The
// bytes equal what EncodeDatagram gives for the same envelope (tested).
type template struct {
	head, mid, tail []byte // frame up to "seq":, up to "gen":, the rest without the tag
	signed          bool
}

func newTemplate(e *wire.Envelope, key []byte) (*template, error) {
	env := *e
	env.Seq, env.Gen = seqSentinel, genSentinel
	b, err := wire.EncodeDatagram(&env, key)
	if err != nil {
		return nil, err
	}
	if len(key) > 0 {
		b = b[:len(b)-wire.TagSize]
	}
	seqKey := []byte(`"seq":` + strconv.FormatUint(seqSentinel, 10))
	genKey := []byte(`"gen":` + strconv.FormatUint(genSentinel, 10))
	s, g := bytes.Index(b, seqKey), bytes.Index(b, genKey)
	if s < 0 || g < s+len(seqKey) {
		return nil, fmt.Errorf("loadgen: template of %s: seq and gen not found in order", env.Kind)
	}
	return &template{
		head:   bytes.Clone(b[:s+len(`"seq":`)]),
		mid:    bytes.Clone(b[s+len(seqKey) : g+len(`"gen":`)]),
		tail:   bytes.Clone(b[g+len(genKey):]),
		signed: len(key) > 0,
	}, nil
}

// build appends the datagram with seq and gen to dst, signing it with mac
// (an HMAC-SHA256 keyed with the template's key) if the template is signed.
func (t *template) build(dst []byte, seq, gen uint64, mac hash.Hash) []byte {
	start := len(dst)
	dst = append(dst, t.head...)
	dst = strconv.AppendUint(dst, seq, 10)
	dst = append(dst, t.mid...)
	dst = strconv.AppendUint(dst, gen, 10)
	dst = append(dst, t.tail...)
	if t.signed {
		mac.Reset()
		mac.Write(dst[start:])
		dst = mac.Sum(dst)
	}
	return dst
}

// inventory returns the disks of peer i: DisksPerPeer disks with unique
// labels and UUIDs, a device, a type, and a mount point for every other
// disk, so that chunks are as full as real ones.
func (g *Gen) inventory(i int) []messages.Disk {
	disks := make([]messages.Disk, g.cfg.DisksPerPeer)
	types := [...]string{"ext4", "xfs", "btrfs", "vfat"}
	for d := range disks {
		label := g.Label(i, d)
		sum := sha256.Sum256([]byte(label))
		h := hex.EncodeToString(sum[:16])
		disks[d] = messages.Disk{
			UUID:   h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32],
			Label:  label,
			Device: fmt.Sprintf("/dev/sd%c%d", 'a'+rune(d/15%26), d%15+1),
			Type:   types[d%len(types)],
		}
		if d%2 == 0 {
			disks[d].Mounts = []messages.Mount{{Path: "/srv/" + label, FSType: disks[d].Type}}
		}
	}
	return disks
}

// Disks returns the inventory of peer i, as the peer announces it.
func (g *Gen) Disks(i int) []messages.Disk { return g.inventory(i) }
