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
	// handled; over its bound they are dropped as busy.
	Queued            int64  `json:"queued"`
	Sources           int    `json:"sources"`
	ReplayWindows     int    `json:"replay_windows"`
	KnownGenerations  int    `json:"known_generations"`
	Assemblies        int    `json:"assemblies"`
	InFlightDisks     int    `json:"in_flight_disks"`
	InFlightBytes     int    `json:"in_flight_bytes"`
	MaxInFlightDisks  int    `json:"max_in_flight_disks"`
	MaxInFlightBytes  int    `json:"max_in_flight_bytes"`
	Evicted           uint64 `json:"evicted"` // entries evicted from full tables
	AssembliesExpired uint64 `json:"assemblies_expired"`
	Seeded            bool   `json:"seeded"`
}
