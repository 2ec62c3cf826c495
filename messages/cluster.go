package messages

import "time"

// Transports a peer is heard on (Peer.Transports).
const (
	TransportMulticast = "multicast"
	TransportCluster   = "cluster"
)

// PeerFailed tells Info that the cluster's failure detector declared a
// peer's instance dead: Info marks it down at once instead of waiting for
// peer.timeout.
type PeerFailed struct {
	Node, Instance string
	At             time.Time
}

// ClusterStatus is the cluster transport's part of status (absent while
// cluster.enabled is false).
type ClusterStatus struct {
	Members    int    `json:"members"` // memberlist's live members, this daemon included
	Joined     bool   `json:"joined"`  // a seed answered (or none is configured)
	JoinTries  uint64 `json:"join_attempts"`
	Encrypted  bool   `json:"encrypted"`
	Label      string `json:"label,omitempty"`
	Advertise  string `json:"advertise"`
	Queued     int64  `json:"queued"`            // payloads handed to ClusterServer, not yet handled
	Broadcasts int    `json:"broadcasts"`        // in the broadcast queue, at most 1024
	Pruned     uint64 `json:"broadcasts_pruned"` // the oldest, dropped from a full queue
	Requests   uint64 `json:"requests_sent"`
	Answered   uint64 `json:"requests_answered"`
	Received   uint64 `json:"inventories_received"`
	Unchanged  uint64 `json:"states_unchanged"` // states naming a generation already held
	Dropped    uint64 `json:"dropped"`          // payloads refused (also counted in drops by reason)
	SendsBusy  uint64 `json:"sends_refused"`    // reliable sends refused: too many in flight
	// Traffic of memberlist's sockets (UDP packets and TCP streams, after
	// encryption), since the daemon started.
	PacketsOut uint64 `json:"packets_out"`
	BytesOut   uint64 `json:"bytes_out"`
	PacketsIn  uint64 `json:"packets_in"`
	BytesIn    uint64 `json:"bytes_in"`
}
