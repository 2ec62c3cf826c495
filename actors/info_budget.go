package actors

import (
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// The memory budget of Info (limits.* in the configuration): peers' disks
// are counted, and their bytes estimated, as they are accepted, so that an
// inventory is judged before it is taken, in the time of its own size.

// Estimated cost of a disk held for a peer beyond its strings: the Disk
// value in the peer's list and in the present index, three name-index
// entries, and map overhead. Measured RSS per disk is in docs/operations.md.
const (
	bytesPerDisk  = 850
	bytesPerMount = 64
	budgetLogGap  = 10 * time.Second // at most one refusal logged per gap
)

// estimateBytes is what disks cost Info, by the estimate above.
func estimateBytes(disks []messages.Disk) int64 {
	var n int64
	for _, d := range disks {
		n += bytesPerDisk + int64(len(d.UUID)+len(d.Label)+len(d.Device)+len(d.Type))
		n += identityBytes(d.Identity)
		for _, m := range d.Mounts {
			n += bytesPerMount + int64(len(m.Path)+len(m.FSType))
		}
	}
	return n
}

// overBudget says which limit an inventory of disks for peer p (nil: a new
// peer) would exceed, or "" when it fits. Only the peer's own old inventory
// is given back first: a peer can always shrink.
func (a *Info) overBudget(p *peerState, disks []messages.Disk) (why string, bytes int64) {
	l := a.d.cfg.Limits
	oldDisks, oldBytes := 0, int64(0)
	if p != nil {
		oldDisks, oldBytes = len(p.disks), p.bytes
	}
	if n := a.st.peerDisks - oldDisks + len(disks); n > l.MaxDisks && len(disks) > oldDisks {
		return "limits.max_disks", 0
	}
	bytes = estimateBytes(disks)
	if n := a.st.peerBytes - oldBytes + bytes; n > int64(l.MaxBytes) && bytes > oldBytes {
		return "limits.max_bytes", bytes
	}
	return "", bytes
}

// refuse counts and logs (rate-limited) an inventory refused over budget.
func (a *Info) refuse(m *messages.PeerAnnounced, limit string) {
	a.d.stats.drop(wire.DropOverBudget)
	if suppressed, ok := a.st.budgetLog.allow(a.now()); ok {
		a.log.Warn("inventory refused: over budget", "node", m.Node, "disks", len(m.Disks),
			"limit", limit, "peer_disks", a.st.peerDisks, "peer_bytes", a.st.peerBytes,
			"suppressed", suppressed)
	}
}

// rateLog lets one line through per budgetLogGap and counts the others.
type rateLog struct {
	last       time.Time
	suppressed int
}

func (r *rateLog) allow(now time.Time) (suppressed int, ok bool) {
	if !r.last.IsZero() && now.Sub(r.last) < budgetLogGap && now.Sub(r.last) >= 0 {
		r.suppressed++
		return 0, false
	}
	suppressed, r.suppressed, r.last = r.suppressed, 0, now
	return suppressed, true
}

// setDisks moves node's inventory in the indexes from before to after, in
// the time of both lists: a disk no longer held gets a sighting at
// lastHeld (when node was last heard holding it), a disk held again loses
// its sighting.
func (a *Info) setDisks(node string, before, after []messages.Disk, lastHeld time.Time) {
	st := a.st
	st.present.set(node, before, after)
	held := make(map[string]struct{}, len(after))
	for _, d := range after {
		held[d.Key()] = struct{}{}
		st.sightings.remove(keyOf(d, node))
	}
	for _, d := range before {
		if _, ok := held[d.Key()]; !ok && !lastHeld.IsZero() {
			st.evicted += uint64(st.sightings.put(messages.Sighting{Node: node, At: lastHeld, Disk: d}))
		}
	}
}

// rebuild remakes the indexes from the peers and the local disks, after a
// panic interrupted a handler while it wrote them. It costs everything
// Info knows, once, after a failure only.
func (a *Info) rebuild() {
	st := a.st
	st.present, st.peerDisks, st.peerBytes = newPresentIndex(), 0, 0
	st.present.set(a.id.Node, nil, st.local)
	for name, p := range st.peers {
		st.present.set(name, nil, p.disks)
		st.peerDisks += len(p.disks)
		st.peerBytes += p.bytes
	}
	old := st.sightings
	st.sightings = newSightings(maxSightings)
	old.all(func(s messages.Sighting) {
		if st.present.get(keyOf(s.Disk, s.Node)) == nil {
			st.sightings.put(s)
		}
	})
	st.committing = false
	a.log.Warn("info indexes rebuilt after a failed handler", "peers", len(st.peers), "sightings", st.sightings.len())
}

// limits is the budget and its use, for status.
func (a *Info) limits() messages.Limits {
	l := a.d.cfg.Limits
	return messages.Limits{MaxDisks: l.MaxDisks, Disks: a.st.peerDisks, MaxPeers: l.MaxPeers,
		Peers: len(a.st.peers), MaxBytes: int64(l.MaxBytes), Bytes: a.st.peerBytes,
		Sightings: a.st.sightings.len(), MaxSightings: maxSightings, SightingsEvicted: a.st.evicted}
}
