package messages

// GetPeerGenerations asks Info which inventory generation it holds of each
// peer; answered by PeerGenerations. A restarted MulticastServer asks, so
// that it does not request again every inventory Info already has.
type GetPeerGenerations struct{}

// PeerGenerations answers GetPeerGenerations: the peers whose inventory
// came from a known generation (not legacy peers, not peers restored from
// the state file and not heard since).
type PeerGenerations struct {
	Peers []PeerGeneration
}

// PeerGeneration is the generation Info holds of one peer's instance.
type PeerGeneration struct {
	Node, Instance string
	Gen            uint64
}

// GossipStatus is the protocol engine's part of status: the sizes of its
// bounded tables and what their bounds refused.
type GossipStatus struct {
	// FilterSources and FilterRefused: the reader's per-source check made
	// before decoding (its buckets held, and the datagrams it refused,
	// which drops also counts as rate_limited); left out while zero.
	FilterSources int    `json:"filter_sources,omitempty"`
	FilterRefused uint64 `json:"filter_refused,omitempty"`

	// Queued counts decoded datagrams handed to MulticastServer and not yet
	// handled; at its bound the reader stops reading (ReaderPauses counts
	// the times) and datagrams wait in the socket's buffer. ReaderBatches
	// counts the messages that carried them (datagrams read per batch =
	// decoded / batches). ReceiveBuffer is the socket's buffer in
	// bytes as the kernel counts them, SocketDrops the datagrams it dropped
	// for want of room (left out for the in-memory transport).
	Queued            int64        `json:"queued"`
	ReaderPauses      uint64       `json:"reader_pauses"`
	ReaderBatches     uint64       `json:"reader_batches"`
	ReceiveBuffer     int          `json:"receive_buffer,omitempty"`
	SocketDrops       uint64       `json:"socket_drops"`
	Sources           int          `json:"sources"`
	ReplayWindows     int          `json:"replay_windows"`
	KnownGenerations  int          `json:"known_generations"`
	Assemblies        int          `json:"assemblies"`
	InFlightDisks     int          `json:"in_flight_disks"`
	InFlightBytes     int          `json:"in_flight_bytes"`
	MaxInFlightDisks  int          `json:"max_in_flight_disks"`
	MaxInFlightBytes  int          `json:"max_in_flight_bytes"`
	Evicted           uint64       `json:"evicted"` // entries evicted from full tables
	AssembliesExpired uint64       `json:"assemblies_expired"`
	Seeded            bool         `json:"seeded"`
	Repair            RepairStatus `json:"repair"`
}

// RepairStatus counts the repair exchange (docs/protocol.md, "Repair"),
// since the daemon started. Our requests: scheduled (a gap found), sent,
// suppressed by another receiver's request, pushed back by chunks still
// arriving. Peers' requests to us: answered, chunks sent again, ignored
// as duplicates (every chunk named was sent within the window) or as
// stale (an older generation). DiscoverySkipped: newcomers not sent our
// chunks because they were listening when we last sent them (or our
// announce). SentByKind:
// datagrams this daemon sent, by kind.
type RepairStatus struct {
	Scheduled        uint64            `json:"requests_scheduled"`
	Sent             uint64            `json:"requests_sent"`
	Suppressed       uint64            `json:"requests_suppressed"`
	Postponed        uint64            `json:"requests_postponed"`
	Answered         uint64            `json:"requests_answered"`
	Resent           uint64            `json:"chunks_resent"`
	Duplicate        uint64            `json:"requests_duplicate"`
	Stale            uint64            `json:"requests_stale"`
	DiscoverySkipped uint64            `json:"discovery_answers_skipped"`
	SentByKind       map[string]uint64 `json:"sent_by_kind"`
}

// Add returns the sum of two counts (SentByKind is r's).
func (r RepairStatus) Add(o RepairStatus) RepairStatus {
	r.Scheduled += o.Scheduled
	r.Sent += o.Sent
	r.Suppressed += o.Suppressed
	r.Postponed += o.Postponed
	r.Answered += o.Answered
	r.Resent += o.Resent
	r.Duplicate += o.Duplicate
	r.Stale += o.Stale
	r.DiscoverySkipped += o.DiscoverySkipped
	return r
}
