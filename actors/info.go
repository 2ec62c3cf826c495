package actors

import (
	"log/slog"
	"net"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/messages"
)

// Info owns everything the daemon knows: this host's disks, the last blkid
// run, and every peer with its disks. Other actors change it only through
// messages and read it only through replies, which carry copies.
//
// In: ScanFinished (DiskWatcher), PeerAnnounced (MulticastServer), and the
// queries GetLocalDisks, GetInventory, Where, GetPeers, GetStatus,
// GetLocalhost (sessions). Out: LocalDisksChanged and PeerDiscovered to
// MulticastServer.
//
// Its state lives in an infoState that the daemon owns, so a panic restarts
// the actor without losing what it knew. Every handler builds new values
// before assigning them, so a panic part-way leaves the state consistent.
type Info struct {
	st        *infoState
	id        identity
	stats     *stats
	health    *health
	multicast *actor.PID
	log       *slog.Logger
	now       func() time.Time
}

// identity is what a daemon says of itself.
type identity struct {
	Node, Instance, Version, Socket, Group, Interface string
	Started                                           time.Time
}

// infoState is Info's knowledge; see Info.
type infoState struct {
	local    []messages.Disk
	lastScan *messages.ScanReport
	lastGood *time.Time
	peers    map[string]*peerState
}

type peerState struct {
	info  messages.Peer
	disks []messages.Disk
}

func newInfoState() *infoState { return &infoState{peers: map[string]*peerState{}} }

func newInfoProps(d *deps) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &Info{st: d.info, id: d.id, stats: d.stats, health: d.health,
			multicast: d.pids.multicast, log: d.log.With("actor", "info"), now: d.now}
	}, actor.WithReceiverMiddleware(logPanics(d.log)))
}

// Receive handles one message.
func (a *Info) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *messages.ScanFinished:
		a.handleScanFinished(c, m)
	case *messages.PeerAnnounced:
		a.handlePeerAnnounced(c, m)
	case *messages.GetLocalDisks:
		c.Respond(&messages.LocalDisks{Disks: slices.Clone(a.st.local)})
	case *messages.GetInventory:
		c.Respond(&messages.Inventory{Disks: a.inventory()})
	case *messages.Where:
		c.Respond(a.where(m.Query))
	case *messages.GetPeers:
		c.Respond(a.peers())
	case *messages.GetStatus:
		c.Respond(a.status())
	case *messages.GetLocalhost:
		c.Respond(a.localhost())
	case *messages.Crash:
		panic("crash requested by a test hook")
	}
}

func (a *Info) handleScanFinished(c actor.Context, m *messages.ScanFinished) {
	run := m.Run
	a.st.lastScan = &run
	changed := false
	if run.Outcome == "ok" {
		at := run.Started
		a.st.lastGood = &at
		disks := sortedDisks(m.Disks)
		if !slices.Equal(disks, a.st.local) {
			a.log.Info("local disks changed", "before", len(a.st.local), "after", len(disks))
			a.st.local = disks
			changed = true
			c.Send(a.multicast, &messages.LocalDisksChanged{Disks: slices.Clone(disks)})
		}
	}
	if c.Sender() != nil {
		c.Respond(&messages.ScanApplied{RunID: run.RunID, Changed: changed, Disks: len(a.st.local)})
	}
}

func (a *Info) handlePeerAnnounced(c actor.Context, m *messages.PeerAnnounced) {
	p := a.st.peers[m.Node]
	if p != nil && p.info.Instance == m.Instance && m.Seq <= p.info.Seq {
		a.stats.drop(messages.DropStale)
		return
	}
	next := &peerState{disks: sortedDisks(m.Disks)}
	if p != nil {
		next.info = p.info
	} else {
		next.info = messages.Peer{Node: m.Node, FirstSeen: m.At}
	}
	discovered := p == nil || p.info.Instance != m.Instance
	if p != nil && discovered {
		next.info.Restarts++
		a.log.Info("peer restarted", "node", m.Node, "instance", m.Instance, "address", m.Addr)
	} else if p == nil {
		a.log.Info("peer discovered", "node", m.Node, "instance", m.Instance, "address", m.Addr)
	}
	next.info.Instance, next.info.Addr, next.info.Seq = m.Instance, m.Addr, m.Seq
	next.info.LastSeen, next.info.Disks = m.At, len(next.disks)
	a.st.peers[m.Node] = next
	if discovered {
		c.Send(a.multicast, &messages.PeerDiscovered{Node: m.Node})
	}
}

// inventory lists local disks first, then each peer's in node order.
func (a *Info) inventory() []messages.NodeDisk {
	out := make([]messages.NodeDisk, 0, len(a.st.local))
	for _, d := range a.st.local {
		out = append(out, messages.NodeDisk{Node: a.id.Node, Local: true, Disk: d})
	}
	for _, name := range a.peerNames() {
		for _, d := range a.st.peers[name].disks {
			out = append(out, messages.NodeDisk{Node: name, Disk: d})
		}
	}
	return out
}

// where matches a UUID (any case), a label or a device exactly.
func (a *Info) where(q string) *messages.WhereResult {
	res := &messages.WhereResult{Query: q, Matches: []messages.NodeDisk{}}
	for _, nd := range a.inventory() {
		if strings.EqualFold(nd.UUID, q) || nd.Label == q || nd.Device == q {
			res.Matches = append(res.Matches, nd)
		}
	}
	return res
}

func (a *Info) peers() *messages.Peers {
	out := &messages.Peers{Peers: make([]messages.Peer, 0, len(a.st.peers))}
	for _, name := range a.peerNames() {
		out.Peers = append(out.Peers, a.st.peers[name].info)
	}
	return out
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
	s := &messages.Status{
		Node: a.id.Node, Instance: a.id.Instance, Version: a.id.Version,
		Started: a.id.Started, Uptime: a.now().Sub(a.id.Started).Round(time.Second).String(),
		Local: len(a.st.local), Peers: len(a.st.peers),
		Network: a.stats.net(), Drops: a.stats.dropsSnapshot(),
		Announce: a.stats.announceStatus(), Parts: a.health.snapshot(),
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
		Protocol: messages.ProtocolVersion, Addresses: hostAddresses(),
		Socket: a.id.Socket, Group: a.id.Group, Interface: a.id.Interface,
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
