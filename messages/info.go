package messages

import (
	"encoding/json"
	"time"
)

// Messages Info accepts, and its replies. Info is the only owner of the
// daemon's knowledge; every reply carries copies, never shared slices.

// ScanFinished reports one blkid run from DiskWatcher. When Err is non-empty
// the run failed and Disks is nil: Info keeps its last good list.
type ScanFinished struct {
	Run   ScanReport
	Disks []Disk
}

// ScanApplied answers ScanFinished: whether the local list changed.
type ScanApplied struct {
	RunID   uint64
	Changed bool
	Disks   int
}

// ScanReport describes one blkid run, for status.
type ScanReport struct {
	RunID    uint64        `json:"run_id"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration_ns"`
	// Outcome is "ok", or the failure kind: "not_found", "permission",
	// "timeout", "exit", "output_too_large", "parse".
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
	Disks   int    `json:"disks"`
	// IdentityError says why the disks' identity could not be read (an
	// unreadable sysfs); the disks are announced without it.
	IdentityError string `json:"identity_error,omitempty"`
}

// PeerAnnounced is a validated announcement from another daemon, decoded by
// MulticastServer. Info applies it unless it is older than what it holds.
// At is the receiver's clock (with its monotonic reading).
//
// Full announcements carry a whole inventory generation (assembled from
// chunks, or from a legacy datagram); the others only say the peer is alive
// and which generation it has.
type PeerAnnounced struct {
	Node     string
	Instance string
	Addr     string
	Seq      uint64
	Agent    string
	Full     bool
	Gen      uint64
	Legacy   bool // a daemon of the original Perl diskd, named by its address
	Disks    []Disk
	At       time.Time
}

// PeerLeft is a validated goodbye: the peer stopped cleanly.
type PeerLeft struct {
	Node     string
	Instance string
	Seq      uint64
	At       time.Time
}

// GetLocalDisks asks for this host's disks; answered by LocalDisks.
type GetLocalDisks struct{}

// LocalDisks is this host's current disk list. Ready is false until the
// first blkid run has finished: announcing before would tell peers that
// this host has no disks.
type LocalDisks struct {
	Disks []Disk
	Ready bool
}

// GetInventory asks for every known disk; answered by Inventory.
type GetInventory struct{}

// Inventory lists every disk Info knows, local ones first, then by node.
type Inventory struct {
	Disks []NodeDisk
	// Duplicates is what the disks share that should be unique (see
	// Duplicate); shown by list and the duplicates command.
	Duplicates []Duplicate
}

// NodeDisk is a disk together with the node that holds it.
type NodeDisk struct {
	Node  string `json:"node"`
	Local bool   `json:"local"`
	Disk
}

// Where asks which nodes hold disks matching Query (a UUID, label or
// device); answered by WhereResult.
type Where struct {
	Query string
}

// WhereResult lists the matches of a Where query. Matches are disks present
// now (on this host or a live peer); LastSeen lists disks present nowhere
// now, with where and when they were last seen. Duplicates names UUIDs
// present on more than one node.
type WhereResult struct {
	Query      string     `json:"query"`
	Matches    []NodeDisk `json:"matches"`
	LastSeen   []Seen     `json:"last_seen"`
	Duplicates []string   `json:"duplicate_uuids,omitempty"`
	// DuplicateIDs: the matches share a physical disk across nodes, or a
	// UUID across physical disks.
	DuplicateIDs []Duplicate `json:"duplicate_ids,omitempty"`
}

// Seen is a disk no longer present anywhere, as last seen.
type Seen struct {
	Node string    `json:"node"`
	At   time.Time `json:"at"`
	Ago  string    `json:"ago"`
	Disk
}

// GetPeers asks for the known peers; answered by Peers.
type GetPeers struct{}

// Peers lists the daemons this one has heard from, sorted by node name.
type Peers struct {
	Peers []Peer
}

// Peer states, judged on the receiver's monotonic clock against
// peer.timeout: alive when heard within half of it, suspect within all of
// it, down after it or at once on a goodbye.
const (
	PeerAlive   = "alive"
	PeerSuspect = "suspect"
	PeerDown    = "down"
)

// Peer is what Info knows of another daemon.
type Peer struct {
	Node      string    `json:"node"`
	State     string    `json:"state"`
	Left      bool      `json:"left,omitempty"` // said goodbye
	Instance  string    `json:"instance"`
	Addr      string    `json:"address"`
	Version   string    `json:"version,omitempty"`
	LastSeen  time.Time `json:"last_seen"`
	Seq       uint64    `json:"seq"`
	Disks     int       `json:"disks"`
	Restarts  int       `json:"restarts"`
	FirstSeen time.Time `json:"first_seen"`
	// Conflict: two live instances announce under this node name.
	Conflict bool `json:"conflict,omitempty"`
	// Legacy: a daemon of the original Perl diskd, named by its address.
	Legacy bool `json:"legacy,omitempty"`
}

// GetStatus asks for the daemon's health; answered by Status.
type GetStatus struct{}

// Status is the daemon's health as Info assembles it from its own state and
// the shared counters of the other parts.
type Status struct {
	Node       string                `json:"node"`
	Instance   string                `json:"instance"`
	Version    string                `json:"version"`
	Started    time.Time             `json:"started"`
	Uptime     string                `json:"uptime"`
	Local      int                   `json:"local_disks"`
	Peers      int                   `json:"peers"`
	States     map[string]int        `json:"peer_states"`
	Mounts     string                `json:"mounts_error,omitempty"`
	Duplicates []string              `json:"duplicate_uuids"`
	Network    NetStats              `json:"network"`
	Drops      map[string]uint64     `json:"drops"`
	Blkid      *ScanReport           `json:"blkid"`
	LastGood   *time.Time            `json:"blkid_last_good,omitempty"`
	Announce   AnnounceStatus        `json:"announce"`
	Parts      map[string]PartHealth `json:"parts"`
	Sessions   SessionStats          `json:"sessions"` // see sessions.go
	Gossip     GossipStatus          `json:"gossip"`
	// Limits is Info's memory budget and its use.
	Limits Limits `json:"limits"`
	// Hotplug is the device event listener (see hotplug.go).
	Hotplug *HotplugStatus `json:"hotplug,omitempty"`
	// InfoFailed counts messages whose handler panicked in Info: each was
	// dropped, Info kept its state from before it.
	InfoFailed uint64 `json:"info_failed_messages"`
	// Warnings are standing problems of the settings, such as running
	// without auth keys; empty when there are none.
	Warnings []string `json:"warnings,omitempty"`
	// Runs counts blkid and mount-table runs by source ("blkid", "mounts").
	Runs map[string]RunStats `json:"runs"`
	// HTTP is the web page's listener; nil when http.listen is off.
	HTTP *HTTPStatus `json:"http,omitempty"`
	// Mount is remote mount and unmount (mount.go).
	Mount *MountStatus `json:"mount,omitempty"`
}

// Limits is the budget of what Info holds for peers (limits.* in the
// configuration) beside what it holds now. An inventory that would exceed
// it is refused whole and counted under the drop reason over_budget.
type Limits struct {
	MaxDisks  int   `json:"max_disks"`
	Disks     int   `json:"disks"`
	MaxPeers  int   `json:"max_peers"`
	Peers     int   `json:"peers"`
	MaxBytes  int64 `json:"max_bytes"`
	Bytes     int64 `json:"bytes"` // an estimate of the bytes held for peers' disks
	Sightings int   `json:"last_seen_records"`
	// MaxSightings bounds the last-seen records; the oldest go first.
	MaxSightings int `json:"max_last_seen_records"`
	// SightingsEvicted counts records dropped at the cap, oldest first.
	SightingsEvicted uint64 `json:"last_seen_evicted"`
}

// NetStats counts multicast traffic.
type NetStats struct {
	DatagramsIn  uint64 `json:"datagrams_in"`
	BytesIn      uint64 `json:"bytes_in"`
	DatagramsOut uint64 `json:"datagrams_out"`
	BytesOut     uint64 `json:"bytes_out"`
	OwnIn        uint64 `json:"own_datagrams_in"`
	SendErrors   uint64 `json:"send_errors"`
	// Link is the multicast transport's own health; nil for a transport
	// that does not watch its interface (the in-memory fake).
	Link *LinkStatus `json:"link,omitempty"`
	// ByKind splits the traffic by datagram kind (wire.Kind*, "legacy");
	// datagrams dropped before their kind was known count as "undecoded".
	ByKind map[string]KindTraffic `json:"by_kind,omitempty"`
}

// LinkStatus is what the multicast transport noticed of its interface
// and did about it: re-joins of the group, re-binds of the sending socket
// to a new address, and a run of failing sends.
type LinkStatus struct {
	Interface             string    `json:"interface"` // "" for the system default
	Address               string    `json:"address,omitempty"`
	Up                    bool      `json:"up"`
	Watch                 string    `json:"watch"` // "netlink+poll" or "poll"
	Rejoins               uint64    `json:"rejoins"`
	Rebinds               uint64    `json:"rebinds"`
	LastFix               string    `json:"last_fix,omitempty"`
	LastFixAt             time.Time `json:"last_fix_at,omitzero"`
	FixErrors             uint64    `json:"fix_errors"`
	FixError              string    `json:"fix_error,omitempty"`
	SendErrors            uint64    `json:"send_errors"`
	ConsecutiveSendErrors uint64    `json:"consecutive_send_errors"`
	LastSendError         string    `json:"last_send_error,omitempty"`
	LastSendErrorAt       time.Time `json:"last_send_error_at,omitzero"`
}

// AnnounceStatus tells whether the local inventory can be announced.
type AnnounceStatus struct {
	Seq    uint64 `json:"seq"`
	Gen    uint64 `json:"generation"`
	Chunks int    `json:"chunks"`
	Disks  int    `json:"disks"`
	// Error is set while the inventory is refused (it cannot be split into
	// chunks); peers keep the previous generation meanwhile.
	Error string    `json:"error,omitempty"`
	Last  time.Time `json:"last,omitzero"`
}

// PartHealth is the supervision record of one actor of the daemon.
type PartHealth struct {
	Restarts    int       `json:"restarts"`
	LastFailure string    `json:"last_failure,omitempty"`
	LastFailed  time.Time `json:"last_failed,omitzero"`
	BackoffTill time.Time `json:"backoff_until,omitzero"`
}

// GetLocalhost asks for this daemon's identity; answered by Localhost.
type GetLocalhost struct{}

// Localhost describes this daemon.
type Localhost struct {
	Node      string   `json:"node"`
	Instance  string   `json:"instance"`
	Version   string   `json:"version"`
	Protocol  int      `json:"protocol"`
	Addresses []string `json:"addresses"`
	Socket    string   `json:"socket"`
	Group     string   `json:"multicast_group"`
	Interface string   `json:"multicast_interface"`
}

// Subscribe asks Info to send every Event to the sender until it
// unsubscribes or stops; answered by Subscribed.
type Subscribe struct{}

// Subscribed answers Subscribe.
type Subscribed struct{}

// Unsubscribe ends a subscription.
type Unsubscribe struct{}

// Event kinds, as streamed by the debug command. Append only.
const (
	EventPeerUp        = "peer_up"
	EventPeerSuspect   = "peer_suspect"
	EventPeerDown      = "peer_down"
	EventPeerLeft      = "peer_left"
	EventPeerRestarted = "peer_restarted"
	EventPeerForgotten = "peer_forgotten"
	EventPeerConflict  = "peer_conflict"
	EventDiskAdded     = "disk_added"
	EventDiskRemoved   = "disk_removed"
	EventDiskMounted   = "disk_mounted"
	EventDiskUnmounted = "disk_unmounted"
	EventDuplicateUUID = "duplicate_uuid"
	EventDrop          = "drop"
)

// Event is one notable thing that happened, for debug subscribers.
type Event struct {
	Time   time.Time `json:"time"`
	Kind   string    `json:"kind"`
	Node   string    `json:"node,omitempty"`
	Detail string    `json:"detail,omitempty"`
	Disk   *Disk     `json:"disk,omitempty"`
}

// Dropped reports a dropped datagram to Info for debug subscribers; sent
// only while someone listens, and rate-limited.
type Dropped struct {
	Reason, From, Detail string
}

// MarshalJSON always writes "mounts" (an empty list for an unmounted
// disk), so that scripts need not tell absent from empty.
func (nd NodeDisk) MarshalJSON() ([]byte, error) {
	mounts := nd.Mounts
	if mounts == nil {
		mounts = []Mount{}
	}
	return json.Marshal(struct {
		Node   string  `json:"node"`
		Local  bool    `json:"local"`
		UUID   string  `json:"uuid"`
		Label  string  `json:"label"`
		Device string  `json:"device"`
		Type   string  `json:"type"`
		Mounts []Mount `json:"mounts"`
		Identity
	}{nd.Node, nd.Local, nd.UUID, nd.Label, nd.Device, nd.Type, mounts, nd.Identity})
}
