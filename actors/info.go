package actors

import (
	"log/slog"
	"net"
	"slices"
	"sort"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	diskid "github.com/diskd-actors/diskd-actors/actors/identity"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// Info owns everything the daemon knows: this host's disks and mounts, the
// last blkid run, every peer with its state and disks, and where each disk
// was last seen. Other actors change it only through messages and read it
// only through replies, which carry copies.
//
// In: ScanFinished (DiskWatcher), MountsScanned (MountWatcher),
// PeerAnnounced and PeerLeft (MulticastServer), livenessTick (its own
// timer), Subscribe/Unsubscribe (debug sessions), and the queries
// GetLocalDisks, GetInventory, Where, GetPeers, GetStatus, GetLocalhost,
// GetStateSnapshot. Out: LocalDisksChanged and PeerDiscovered to
// MulticastServer, StateChanged to StateStore, Event to subscribers.
//
// Its state lives in an infoState that the daemon owns, so a panic restarts
// the actor without losing what it knew. Handlers build new values before
// assigning them, so a panic part-way leaves the state consistent.
type Info struct {
	d    *deps
	st   *infoState
	id   identity
	log  *slog.Logger
	now  func() time.Time
	tick *ticker
}

// identity is what a daemon says of itself.
type identity struct {
	Node, Instance, Version, Socket, Group, Interface string
	Started                                           time.Time
}

// infoState is Info's knowledge; see Info. Only Info's producer holds it:
// no other actor can reach it. Its disk lists (local, each peer's disks)
// are replaced, never written in place: InventoryView shares them with
// sessions that render on their own goroutines.
type infoState struct {
	blkid     []messages.Disk // as blkid saw them, without mounts
	mounts    []messages.MountEntry
	mountsErr string
	local     []messages.Disk // blkid's disks with their mounts, sorted
	localAt   time.Time       // when local was last confirmed by a scan
	scanned   bool            // a blkid run has finished, well or not
	lastScan  *messages.ScanReport
	lastGood  *time.Time
	peers     map[string]*peerState
	present   *presentIndex         // every disk a known node holds, local and peers'
	sightings *sightings            // disks no longer held by their node
	subs      map[string]*actor.PID // debug subscribers by PID id

	peerDisks int   // disks of all peers, against limits.max_disks
	peerBytes int64 // their estimated size, against limits.max_bytes
	// committing is set while a handler writes its new values into the
	// indexes; still set at Started, a panic interrupted it, and the
	// indexes are rebuilt from the peers.
	committing bool
	budgetLog  rateLog
	evicted    uint64 // sightings dropped at the cap
	// treeUp: every sibling is spawned (treeStarted); before, what Info
	// would send them waits in the pending flags.
	treeUp, pendingAnnounce, pendingChange bool
	warnings                               []string // of the settings in force, for status
}

func newInfoState() *infoState {
	return &infoState{peers: map[string]*peerState{}, present: newPresentIndex(),
		sightings: newSightings(maxSightings), subs: map[string]*actor.PID{}}
}

// newInfoProps makes Info's props; st is the state that survives its
// restarts, handed to no other actor.
func newInfoProps(d *deps, st *infoState) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &Info{d: d, st: st, id: d.id, log: d.log.With("actor", "info"), now: d.now}
	}, actor.WithReceiverMiddleware(logPanics(d.log, func() {
		// The message is lost (protoactor never retries it) and the actor
		// restarts on the state from before it.
		d.stats.infoFailed.Add(1)
	})))
}

// Receive handles one message.
func (a *Info) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		if a.st.committing {
			a.rebuild()
		}
		every := livenessEvery(a.d.cfg.Peer.Timeout)
		a.tick = newTickerFrom(a.d.ticks, a.d.root, c.Self(), every, every, &livenessTick{})
		for _, pid := range a.st.subs {
			c.Watch(pid) // watches do not survive a restart
		}
	case *actor.Restarting:
		a.tick.stop()
	case *actor.Stopping:
		a.tick.stop()
		a.st.treeUp = false // the parts stop too; a new tree says so again
	case *treeStarted:
		a.handleTreeStarted(c)
	case *messages.ScanFinished:
		a.handleScanFinished(c, m)
	case *messages.MountsScanned:
		a.handleMounts(c, m)
	case *messages.PeerAnnounced:
		a.handlePeerAnnounced(c, m)
	case *messages.PeerLeft:
		a.handlePeerLeft(c, m)
	case *livenessTick:
		a.checkLiveness(c)
	case *messages.GetLocalDisks:
		c.Respond(&messages.LocalDisks{Disks: slices.Clone(a.st.local), Ready: a.st.scanned})
	case *messages.GetInventory:
		inv := a.inventory()
		c.Respond(&messages.Inventory{Disks: inv, Duplicates: diskid.Duplicates(inv)})
	case *messages.GetInventoryView:
		c.Respond(a.inventoryView())
	case *messages.Where:
		c.Respond(a.where(m.Query))
	case *messages.GetPeers:
		c.Respond(a.peers())
	case *messages.GetStatus:
		c.Respond(a.status())
	case *messages.GetLocalhost:
		c.Respond(a.localhost())
	case *messages.GetStateSnapshot:
		c.Respond(a.snapshot())
	case *messages.Search:
		c.Respond(a.search(m))
	case *messages.GetHosts:
		c.Respond(a.hosts(m))
	case *messages.GetPeerGenerations:
		c.Respond(a.peerGenerations())
	case *messages.Subscribe:
		a.subscribe(c)
	case *messages.Unsubscribe:
		a.unsubscribe(c, c.Sender())
	case *actor.Terminated:
		a.unsubscribe(c, m.Who)
	case *messages.Dropped:
		a.emit(c, messages.EventDrop, "", m.Reason+" from "+m.From+": "+m.Detail, nil)
	case *messages.ApplySettings:
		a.st.warnings = warnings(m.Settings)
		applied(c, "info")
	case *messages.CheckHealth:
		c.Respond(&messages.Healthy{Part: "info"})
	case *messages.NodeClash:
		a.emit(c, messages.EventPeerConflict, a.id.Node, "another instance "+m.Instance+" at "+m.Addr+" announces under our node name", nil)
	}
	// Removals only mark records; the indexes drop them here once they
	// outnumber the living, once per message.
	a.st.present.compact()
	a.st.sightings.compact()
}

func (a *Info) handleScanFinished(c actor.Context, m *messages.ScanFinished) {
	run := m.Run
	a.st.lastScan = &run
	changed := false
	if run.Outcome == "ok" {
		at := run.Started
		a.st.lastGood = &at
		a.st.blkid = m.Disks
		changed = a.updateLocal(c)
	}
	if !a.st.scanned && !changed {
		// The first run found nothing or failed: announce anyway, so that
		// peers learn this node exists.
		a.announceLocal(c)
	}
	a.st.scanned = true
	if c.Sender() != nil {
		c.Respond(&messages.ScanApplied{RunID: run.RunID, Changed: changed, Disks: len(a.st.local)})
	}
}

func (a *Info) handleMounts(c actor.Context, m *messages.MountsScanned) {
	if m.Err != "" {
		a.st.mountsErr = m.Err
		return
	}
	a.st.mountsErr = ""
	a.st.mounts = m.Entries
	a.updateLocal(c)
}

// updateLocal joins blkid's disks with the mount table; when the result
// differs from what peers know, it tells MulticastServer to announce.
func (a *Info) updateLocal(c actor.Context) bool {
	disks := sortedDisks(attachMounts(a.st.blkid, a.st.mounts))
	now := a.now()
	before, lastHeld := a.st.local, a.st.localAt
	a.st.localAt = now
	if messages.DisksEqual(disks, before) {
		return false
	}
	a.log.Info("local disks changed", "before", len(before), "after", len(disks))
	a.emitDiff(c, a.id.Node, before, disks)
	if lastHeld.IsZero() {
		lastHeld = now
	}
	a.st.committing = true
	a.setDisks(a.id.Node, before, disks, lastHeld)
	a.st.local = disks
	a.st.committing = false
	a.announceLocal(c)
	a.changed(c, true)
	return true
}

// attachMounts gives each disk the mount points whose source is its device.
func attachMounts(disks []messages.Disk, mounts []messages.MountEntry) []messages.Disk {
	out := make([]messages.Disk, len(disks))
	for i, d := range disks {
		d.Mounts = nil
		for _, m := range mounts {
			// A mount point too long for the wire is left out, not cut.
			long := len(m.Path) > wire.MaxField || len(m.FSType) > wire.MaxField
			if d.Device != "" && (m.Source == d.Device || m.Resolved == d.Device) && !long && len(d.Mounts) < wire.MaxMountsPerDisk {
				d.Mounts = append(d.Mounts, messages.Mount{Path: m.Path, FSType: m.FSType, ReadOnly: m.ReadOnly})
			}
		}
		sort.Slice(d.Mounts, func(x, y int) bool { return d.Mounts[x].Path < d.Mounts[y].Path })
		out[i] = d
	}
	return out
}

// inventory lists local disks first, then those of live peers in node
// order; down peers' disks are only "last seen".
func (a *Info) inventory() []messages.NodeDisk {
	out := make([]messages.NodeDisk, 0, len(a.st.local))
	a.eachPresent(func(nd messages.NodeDisk) { out = append(out, nd) })
	return out
}

// eachPresent calls f for every disk present now, in inventory order,
// without copying the inventory.
func (a *Info) eachPresent(f func(messages.NodeDisk)) {
	for _, d := range a.st.local {
		f(messages.NodeDisk{Node: a.id.Node, Local: true, Disk: d})
	}
	now := a.now()
	for _, name := range a.peerNames() {
		p := a.st.peers[name]
		if a.stateOf(p, now) == messages.PeerDown {
			continue
		}
		for _, d := range p.disks {
			f(messages.NodeDisk{Node: name, Disk: d})
		}
	}
}

func (a *Info) peerNames() []string {
	names := make([]string, 0, len(a.st.peers))
	for n := range a.st.peers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (a *Info) status() *messages.Status {
	now := a.now()
	s := &messages.Status{
		Node: a.id.Node, Instance: a.id.Instance, Version: a.id.Version,
		Started: a.id.Started, Uptime: now.Sub(a.id.Started).Round(time.Second).String(),
		Local: len(a.st.local), Peers: len(a.st.peers),
		States:  map[string]int{messages.PeerAlive: 0, messages.PeerSuspect: 0, messages.PeerDown: 0},
		Network: a.d.stats.net(), Drops: a.d.stats.dropsSnapshot(),
		Announce: a.d.stats.announceStatus(), Parts: a.d.health.snapshot(), Mounts: a.st.mountsErr,
		Duplicates: nonNil(a.duplicateUUIDs()),
		Sessions:   a.d.stats.sessionStats(),
		Gossip:     a.d.stats.gossipStatus(),
		Limits:     a.limits(), InfoFailed: a.d.stats.infoFailed.Load(),
		Warnings: slices.Clone(a.st.warnings),
		Runs:     a.d.stats.runs.snapshot(), HTTP: a.d.stats.http.status(),
		Hotplug: a.d.hotplug.snapshot(),
		Mount:   a.d.mount.snapshot(a.d.cfg.Mount.Policy != nil),
	}
	s.Network.ByKind = a.d.stats.kinds.snapshot()
	for _, p := range a.st.peers {
		s.States[a.stateOf(p, now)]++
	}
	if a.st.lastScan != nil {
		r := *a.st.lastScan
		s.Blkid = &r
	}
	if a.st.lastGood != nil {
		t := *a.st.lastGood
		s.LastGood = &t
	}
	return s
}

func (a *Info) localhost() *messages.Localhost {
	return &messages.Localhost{
		Node: a.id.Node, Instance: a.id.Instance, Version: a.id.Version,
		Protocol: wire.ProtocolVersion, Addresses: hostAddresses(),
		Socket: a.id.Socket, Group: a.id.Group, Interface: a.id.Interface,
	}
}

// changed tells StateStore that there is something to save.
func (a *Info) changed(c actor.Context, significant bool) {
	if !a.st.treeUp {
		a.st.pendingChange = a.st.pendingChange || significant
		return
	}
	if a.d.pids.stateStore != nil {
		c.Send(a.d.pids.stateStore, &messages.StateChanged{Significant: significant})
	}
}

// announceLocal tells MulticastServer the local inventory changed.
func (a *Info) announceLocal(c actor.Context) {
	if !a.st.treeUp {
		a.st.pendingAnnounce = true
		return
	}
	c.Send(a.d.pids.multicast, &messages.LocalDisksChanged{Disks: slices.Clone(a.st.local)})
}

// treeStarted tells Info that the supervisor has spawned every part. Until
// then Info sends nothing to its siblings: sending to a part while
// protoactor spawns it races inside the library, and before, is lost.
type treeStarted struct{}

func (a *Info) handleTreeStarted(c actor.Context) {
	a.st.treeUp = true
	if a.st.pendingAnnounce {
		a.st.pendingAnnounce = false
		a.announceLocal(c)
	}
	if a.st.pendingChange {
		a.st.pendingChange = false
		a.changed(c, true)
	}
}

// hostAddresses lists this host's interface addresses, loopback last.
func hostAddresses() []string {
	addrs, err := net.InterfaceAddrs()
	out := []string{}
	if err != nil {
		return out
	}
	var loop []string
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		if ipn.IP.IsLoopback() {
			loop = append(loop, ipn.IP.String())
		} else {
			out = append(out, ipn.IP.String())
		}
	}
	return append(out, loop...)
}

// sortedDisks returns a sorted copy, so that equal inventories compare equal.
func sortedDisks(in []messages.Disk) []messages.Disk {
	out := slices.Clone(in)
	if out == nil {
		out = []messages.Disk{}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Device != out[j].Device {
			return out[i].Device < out[j].Device
		}
		return out[i].Key() < out[j].Key()
	})
	return out
}
