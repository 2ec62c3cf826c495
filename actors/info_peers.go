package actors

import (
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// Limits on what Info keeps of peers, so memory stays bounded whatever
// arrives.
const (
	maxPeers             = 10000 // the assembler's bound; Info's is limits.max_peers
	maxInstancesPerPeer  = 4
	maxSightings         = 100000
	maxInfoQueue         = 10000 // announcements waiting for Info; more are dropped as busy
	legacyTimeout        = 30 * time.Minute
	minLivenessCheck     = 100 * time.Millisecond
	maxLivenessCheck     = 5 * time.Second
	livenessChecksPerTTL = 10
)

// peerState is what Info holds of one peer.
type peerState struct {
	info  messages.Peer // State is the last evaluated state
	disks []messages.Disk
	// heard is the receiver's clock at the last datagram (monotonic); zero
	// for a peer restored from the state file and not heard since.
	heard      time.Time
	instances  map[string]instanceSeen
	switchedAt time.Time // when the current instance took over
	gen        uint64    // generation of disks
	bytes      int64     // estimated size of disks (estimateBytes)
}

type instanceSeen struct {
	seq   uint64
	heard time.Time
}

// livenessTick re-evaluates peer states.
type livenessTick struct{}

// livenessEvery is how often states are re-evaluated: often enough that a
// peer is marked down within a tenth of the timeout of its deadline.
func livenessEvery(timeout time.Duration) time.Duration {
	return min(max(timeout/livenessChecksPerTTL, minLivenessCheck), maxLivenessCheck)
}

// stateOf judges a peer on the receiver's clock.
func (a *Info) stateOf(p *peerState, now time.Time) string {
	if p.info.Left || p.heard.IsZero() {
		return messages.PeerDown
	}
	t := a.d.cfg.Peer.Timeout
	if p.info.Legacy {
		t = max(t, legacyTimeout) // the original announces every 600 s
	}
	switch age := now.Sub(p.heard); {
	case age < t/2:
		return messages.PeerAlive
	case age < t:
		return messages.PeerSuspect
	default:
		return messages.PeerDown
	}
}

func (a *Info) handlePeerAnnounced(c actor.Context, m *messages.PeerAnnounced) {
	a.d.stats.infoHandled()
	if m.Node == a.id.Node {
		// Never a peer entry for ourselves: the reader drops our name, but a
		// legacy sender's address can still spell it.
		a.d.stats.drop(wire.DropNodeClash)
		return
	}
	p := a.st.peers[m.Node]
	if p == nil && len(a.st.peers) >= a.d.cfg.Limits.MaxPeers {
		a.d.stats.drop(wire.DropPeerLimit)
		return
	}
	if p != nil && m.Full && p.info.Instance == m.Instance && m.Gen <= p.gen {
		a.d.stats.drop(wire.DropStale)
		return
	}
	// Everything is computed into next before anything of Info changes.
	significant := false
	next := &peerState{gen: m.Gen, instances: map[string]instanceSeen{}}
	if m.Full {
		limit, bytes := a.overBudget(p, m.Disks)
		if limit != "" {
			a.refuse(m, limit)
			return
		}
		next.disks, next.bytes = sortedDisks(m.Disks), bytes
	} else { // only alive: the disks stay as they were
		next.disks, next.gen = []messages.Disk{}, 0
		if p != nil {
			next.disks, next.bytes = p.disks, p.bytes
			if p.info.Instance == m.Instance {
				next.gen = p.gen // a new instance counts generations from 1
			}
		}
	}
	var before []messages.Disk
	var lastHeld time.Time
	if p == nil {
		next.info = messages.Peer{Node: m.Node, FirstSeen: m.At, Legacy: m.Legacy}
		a.log.Info("peer discovered", "node", m.Node, "instance", m.Instance, "address", m.Addr)
		a.emit(c, messages.EventPeerUp, m.Node, "discovered at "+m.Addr, nil)
		c.Send(a.d.pids.multicast, &messages.PeerDiscovered{Node: m.Node})
		a.emitDiff(c, m.Node, nil, next.disks)
		significant = true
	} else {
		before, lastHeld = p.disks, p.info.LastSeen
		next.info, next.switchedAt = p.info, p.switchedAt
		for k, v := range p.instances {
			next.instances[k] = v
		}
		significant = a.judgeInstance(c, p, next, m)
		if a.stateOf(p, m.At) == messages.PeerDown {
			a.log.Info("peer up again", "node", m.Node, "address", m.Addr)
			a.emit(c, messages.EventPeerUp, m.Node, "heard again at "+m.Addr, nil)
			significant = true
		}
		if !messages.DisksEqual(next.disks, p.disks) {
			a.emitDiff(c, m.Node, p.disks, next.disks)
			significant = true
		}
	}
	next.instances[m.Instance] = instanceSeen{seq: m.Seq, heard: m.At}
	trimInstances(next.instances)
	next.heard = m.At
	next.info.Instance, next.info.Addr, next.info.Seq, next.info.Left = m.Instance, m.Addr, m.Seq, false
	next.info.LastSeen, next.info.Disks, next.info.State = m.At, len(next.disks), messages.PeerAlive
	next.info.Legacy = m.Legacy
	next.info.Transports = heardOn(next.info.Transports, m.Transport, p != nil && p.info.Instance == m.Instance)
	if m.Agent != "" {
		next.info.Version = m.Agent
	}
	// Commit: the indexes first, the peer last, so that a panic part-way
	// leaves the peer as it was (and Started rebuilds the indexes).
	a.st.committing = true
	if p == nil || !messages.DisksEqual(next.disks, before) {
		a.setDisks(m.Node, before, next.disks, lastHeld)
	}
	a.st.peerDisks += len(next.disks) - len(before)
	a.st.peerBytes += next.bytes
	if p != nil {
		a.st.peerBytes -= p.bytes
	}
	a.st.peers[m.Node] = next
	a.st.committing = false
	a.changed(c, significant)
}

// judgeInstance handles an announcement from an instance other than the
// current one: a new instance is a restart; an instance replaced within the
// timeout coming back means two live daemons share the node name.
func (a *Info) judgeInstance(c actor.Context, p, next *peerState, m *messages.PeerAnnounced) bool {
	if m.Instance == p.info.Instance {
		return false
	}
	_, seenBefore := p.instances[m.Instance]
	next.switchedAt = m.At
	if seenBefore && m.At.Sub(p.switchedAt) < a.d.cfg.Peer.Timeout {
		if !p.info.Conflict {
			a.log.Warn("two live instances announce under one node name", "node", m.Node,
				"instances", []string{p.info.Instance, m.Instance}, "address", m.Addr)
			a.emit(c, messages.EventPeerConflict, m.Node, "instances "+p.info.Instance+" and "+m.Instance, nil)
		}
		next.info.Conflict = true
		return !p.info.Conflict
	}
	next.info.Restarts++
	a.log.Info("peer restarted", "node", m.Node, "instance", m.Instance, "address", m.Addr)
	a.emit(c, messages.EventPeerRestarted, m.Node, "new instance "+m.Instance, nil)
	c.Send(a.d.pids.multicast, &messages.PeerDiscovered{Node: m.Node})
	return true
}

// trimInstances keeps the most recently heard instances of a peer.
func trimInstances(m map[string]instanceSeen) {
	for len(m) > maxInstancesPerPeer {
		oldest, at := "", time.Time{}
		for k, v := range m {
			if oldest == "" || v.heard.Before(at) {
				oldest, at = k, v.heard
			}
		}
		delete(m, oldest)
	}
}

func (a *Info) handlePeerLeft(c actor.Context, m *messages.PeerLeft) {
	a.d.stats.infoHandled()
	p := a.st.peers[m.Node]
	if p == nil || p.info.Instance != m.Instance || p.info.Left {
		return
	}
	next := *p
	// A goodbye is heard too: the peer held its disks until it left.
	next.info.Left, next.info.State, next.info.Seq, next.info.LastSeen = true, messages.PeerDown, m.Seq, m.At
	next.instances = map[string]instanceSeen{}
	for k, v := range p.instances {
		next.instances[k] = v
	}
	next.instances[m.Instance] = instanceSeen{seq: m.Seq, heard: m.At}
	a.st.peers[m.Node] = &next
	a.log.Info("peer left", "node", m.Node)
	a.emit(c, messages.EventPeerLeft, m.Node, "said goodbye", nil)
	a.changed(c, true)
}

// checkLiveness moves peers between states, clears conflicts that ended,
// and forgets peers down for longer than peer.forget_after with their
// last-seen records. It costs the peers, not their disks nor their
// records: a forgotten peer's are dropped whole. StateStore hears of the
// tick's changes once.
func (a *Info) checkLiveness(c actor.Context) {
	now := a.now()
	timeout, forget := a.d.cfg.Peer.Timeout, a.d.cfg.Peer.ForgetAfter
	significant, expired := false, 0
	defer func() { // also after a panic part-way: what was done is saved
		if significant || expired > 0 {
			a.changed(c, significant)
		}
	}()
	for name, p := range a.st.peers {
		state := a.stateOf(p, now)
		if state == messages.PeerDown && now.Sub(p.info.LastSeen) > forget {
			a.forgetPeer(name, p)
			a.log.Info("peer forgotten", "node", name, "last_seen", p.info.LastSeen)
			if len(a.st.subs) > 0 {
				a.emit(c, messages.EventPeerForgotten, name, "down since "+p.info.LastSeen.Format(time.RFC3339), nil)
			}
			significant = true
			continue
		}
		conflict := p.info.Conflict
		if conflict {
			conflict = false
			for inst, seen := range p.instances {
				if inst != p.info.Instance && now.Sub(seen.heard) < timeout {
					conflict = true
				}
			}
		}
		if state == p.info.State && conflict == p.info.Conflict {
			continue
		}
		next := *p
		next.info.State, next.info.Conflict = state, conflict
		a.st.peers[name] = &next
		if state != p.info.State && !p.info.Left {
			kind := map[string]string{messages.PeerAlive: messages.EventPeerUp, messages.PeerSuspect: messages.EventPeerSuspect, messages.PeerDown: messages.EventPeerDown}[state]
			a.log.Info("peer state changed", "node", name, "from", p.info.State, "to", state, "silent_for", now.Sub(p.heard).Round(time.Millisecond))
			a.emit(c, kind, name, "silent for "+now.Sub(p.heard).Round(time.Millisecond).String(), nil)
			significant = true
		}
	}
	expired = a.st.sightings.expire(now.Add(-forget))
}

// forgetPeer drops a peer, its disks and its last-seen records, in the time
// of what it had.
func (a *Info) forgetPeer(name string, p *peerState) {
	a.st.committing = true
	a.st.present.set(name, p.disks, nil)
	a.st.sightings.removeNode(name)
	a.st.peerDisks -= len(p.disks)
	a.st.peerBytes -= p.bytes
	delete(a.st.peers, name)
	a.st.committing = false
}

func (a *Info) peers() *messages.Peers {
	now := a.now()
	out := &messages.Peers{Peers: make([]messages.Peer, 0, len(a.st.peers))}
	for _, name := range a.peerNames() {
		p := a.st.peers[name].info
		p.State = a.stateOf(a.st.peers[name], now)
		out.Peers = append(out.Peers, p)
	}
	return out
}

// emitDiff tells subscribers which disks of node came, went, or changed
// mounts.
func (a *Info) emitDiff(c actor.Context, node string, before, after []messages.Disk) {
	if len(a.st.subs) == 0 {
		return
	}
	old := map[string]messages.Disk{}
	for _, d := range before {
		old[d.Key()] = d
	}
	for _, d := range after {
		o, ok := old[d.Key()]
		delete(old, d.Key())
		d := d
		switch {
		case !ok:
			a.emit(c, messages.EventDiskAdded, node, d.Device, &d)
		case len(o.Mounts) == 0 && len(d.Mounts) > 0:
			a.emit(c, messages.EventDiskMounted, node, d.Mounts[0].Path, &d)
		case len(o.Mounts) > 0 && len(d.Mounts) == 0:
			a.emit(c, messages.EventDiskUnmounted, node, o.Mounts[0].Path, &d)
		case !slices.Equal(o.Mounts, d.Mounts):
			a.emit(c, messages.EventDiskMounted, node, "mounts changed", &d)
		}
	}
	for _, d := range before {
		if _, gone := old[d.Key()]; gone {
			d := d
			a.emit(c, messages.EventDiskRemoved, node, d.Device, &d)
		}
	}
}

// heardOn adds transport ("" is multicast) to the set a peer's instance
// was heard on; a new instance starts a new set.
func heardOn(set []string, transport string, sameInstance bool) []string {
	if transport == "" {
		transport = messages.TransportMulticast
	}
	if !sameInstance {
		return []string{transport}
	}
	if slices.Contains(set, transport) {
		return set
	}
	out := append(slices.Clone(set), transport)
	slices.Sort(out)
	return out
}

// handlePeerFailed marks a peer's instance down at once: the cluster's
// failure detector declared it dead. Its heard time moves back by
// peer.timeout, so that the next liveness check reports it down (with
// the usual event) and any later announcement brings it back.
func (a *Info) handlePeerFailed(c actor.Context, m *messages.PeerFailed) {
	a.d.stats.infoQueue.Add(-1)
	p := a.st.peers[m.Node]
	if p == nil || p.info.Instance != m.Instance || p.info.Left {
		return
	}
	down := m.At.Add(-a.d.cfg.Peer.Timeout)
	if !p.heard.After(down) {
		return
	}
	next := *p
	next.heard = down
	a.st.peers[m.Node] = &next
	a.checkLiveness(c)
}
