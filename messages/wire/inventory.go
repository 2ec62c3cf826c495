package wire

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/diskd-actors/diskd-actors/messages"
)

// Inventory chunking: a node's inventory of any size travels as numbered
// chunks of at most MaxDatagram bytes each, all of one generation.

// Digest identifies an inventory's content: the first 16 hex digits of the
// SHA-256 of its JSON encoding. Two nodes that list the same disks in the
// same order have the same digest.
func Digest(disks []messages.Disk) string {
	if disks == nil {
		disks = []messages.Disk{} // an empty inventory hashes "[]", not "null"
	}
	b, _ := json.Marshal(disks) // a []messages.Disk always marshals
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// SplitInventory splits an inventory into the parts of its chunks, so
// that each chunk datagram, signed or not, with any sequence number, fits
// in MaxDatagram bytes. An empty inventory is one empty part. A disk too
// large for a datagram of its own is ErrTooLarge: nothing is ever cut.
func SplitInventory(node, instance, agent string, disks []messages.Disk) ([][]messages.Disk, error) {
	parts := [][]messages.Disk{{}}
	for _, d := range disks {
		last := parts[len(parts)-1]
		try := append(last[:len(last):len(last)], d)
		if fits(node, instance, agent, try) {
			parts[len(parts)-1] = try
			continue
		}
		if !fits(node, instance, agent, []messages.Disk{d}) {
			return nil, fmt.Errorf("%w: disk %s alone is larger than a datagram", ErrTooLarge, d.Key())
		}
		parts = append(parts, []messages.Disk{d})
	}
	if len(parts) > MaxChunks {
		return nil, fmt.Errorf("%w: %d disks need %d chunks, limit %d", ErrTooLarge, len(disks), len(parts), MaxChunks)
	}
	return parts, nil
}

// fits reports whether a chunk of these disks fits in one datagram with a
// tag and the largest sequence number, generation, index and chunk count.
func fits(node, instance, agent string, disks []messages.Disk) bool {
	if len(disks) > MaxDisksPerDatagram {
		return false
	}
	_, err := EncodeDatagram(&Envelope{Kind: KindChunk, Node: node, Instance: instance, Seq: 1<<64 - 1,
		Agent: agent, Gen: 1<<64 - 1, Chunks: MaxChunks, Index: MaxChunks - 1, Disks: disks}, make([]byte, MinKeySize))
	return err == nil
}

// FitDisks makes every disk small enough for a chunk of its own: a disk
// whose mount points make it too large is announced without them, one
// still too large without its identity too, and one still too large is
// left out. It returns what it changed, so
// that the caller can say so loudly; everything else is announced whole.
func FitDisks(node, instance, agent string, disks []messages.Disk) (fitted []messages.Disk, problems []string) {
	fitted = make([]messages.Disk, 0, len(disks))
	for _, d := range disks {
		if fits(node, instance, agent, []messages.Disk{d}) {
			fitted = append(fitted, d)
			continue
		}
		bare := d
		bare.Mounts = nil
		if fits(node, instance, agent, []messages.Disk{bare}) {
			fitted = append(fitted, bare)
			problems = append(problems, fmt.Sprintf("disk %s announced without its %d mount points: too large for a datagram", d.Key(), len(d.Mounts)))
			continue
		}
		bare.Identity = messages.Identity{}
		if fits(node, instance, agent, []messages.Disk{bare}) {
			fitted = append(fitted, bare)
			problems = append(problems, fmt.Sprintf("disk %s announced without its mount points and identity: too large for a datagram", d.Key()))
			continue
		}
		problems = append(problems, fmt.Sprintf("disk %s left out: too large for a datagram", d.Key()))
	}
	return fitted, problems
}
