package messages

import "time"

// Messages of the HTTP actor (the web page and /metrics) and Info's answers
// to it.

// Search asks Info for the disks whose label, UUID or device contains Query
// (case-insensitive), present now and last seen; answered by SearchResult.
// At most Limit of each are returned (Info caps it at MaxSearchResults).
type Search struct {
	Query string
	Limit int
}

// MaxSearchResults bounds what one Search returns of each list.
const MaxSearchResults = 200

// SearchResult lists the matches of a Search. Truncated is set when more
// matched than were returned.
type SearchResult struct {
	Query     string     `json:"query"`
	Matches   []NodeDisk `json:"matches"`
	LastSeen  []Seen     `json:"last_seen"`
	Truncated bool       `json:"truncated"`
}

// GetHosts asks Info for this host and every peer with their disks, and the
// disks last seen but present nowhere now; answered by Hosts. At most
// MaxDisks disks are listed in all (Info caps it at MaxHostsDisks).
type GetHosts struct {
	MaxDisks int
}

// MaxHostsDisks bounds the disks one Hosts lists.
const MaxHostsDisks = 5000

// Hosts is what the web page shows: this host first, then the peers by
// node name. DisksLeftOut counts the disks beyond GetHosts.MaxDisks.
type Hosts struct {
	Node         string `json:"node"`
	Hosts        []Host `json:"hosts"`
	Gone         []Seen `json:"gone"`
	DisksLeftOut int    `json:"disks_left_out"`
}

// Host is one daemon as the web page shows it. A down peer's disks are
// listed in Hosts.Gone, not here.
type Host struct {
	Node     string    `json:"node"`
	Local    bool      `json:"local"`
	State    string    `json:"state"`
	Left     bool      `json:"left,omitempty"`
	Conflict bool      `json:"conflict,omitempty"`
	Address  string    `json:"address,omitempty"`
	LastSeen time.Time `json:"last_seen,omitzero"`
	Disks    []Disk    `json:"disks"`
}

// HTTPStatus is the HTTP listener's part of status: its address and what
// its bounds refused. Counters never reset while the daemon runs.
type HTTPStatus struct {
	Listen   string `json:"listen"`  // as configured
	Address  string `json:"address"` // as bound (the port chosen for ":0")
	Requests uint64 `json:"requests"`
	// APIBusy counts /api requests refused (503) because MaxAPI were
	// running.
	MaxAPI  int    `json:"max_api_requests"`
	APIBusy uint64 `json:"api_busy"`
	// Streams are the /events clients now; over MaxStreams they are
	// refused (503, StreamsRefused); a client that falls QueueEvents
	// behind is disconnected (SlowStreams).
	Streams        int64  `json:"event_streams"`
	MaxStreams     int    `json:"max_event_streams"`
	StreamsRefused uint64 `json:"event_streams_refused"`
	SlowStreams    uint64 `json:"slow_event_streams_dropped"`
	QueueEvents    int    `json:"stream_queue_events"`
}

// RunStats counts the runs of one periodic source (blkid, the mount table)
// since the daemon started, by outcome ("ok" or the failure kind), with
// the time they took in all.
type RunStats struct {
	Outcomes map[string]uint64 `json:"outcomes"`
	Seconds  float64           `json:"seconds"`
}

// KindTraffic counts the datagrams and bytes of one kind, both ways.
type KindTraffic struct {
	DatagramsIn  uint64 `json:"datagrams_in"`
	BytesIn      uint64 `json:"bytes_in"`
	DatagramsOut uint64 `json:"datagrams_out"`
	BytesOut     uint64 `json:"bytes_out"`
}
