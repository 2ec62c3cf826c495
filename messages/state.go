package messages

import "time"

// StateVersion is the version of the state file this build writes (2:
// JSON; 1 was YAML, still loaded).
const StateVersion = 2

// StateSnapshot is what a daemon keeps across restarts: the peers it knew
// and where each disk was last seen. Times are wall-clock times (monotonic
// readings do not survive a restart). Info builds it on GetStateSnapshot.
type StateSnapshot struct {
	Version   int         `yaml:"version"`
	Node      string      `yaml:"node"`
	SavedAt   time.Time   `yaml:"saved_at"`
	Peers     []SavedPeer `yaml:"peers"`
	Sightings []Sighting  `yaml:"sightings"`
}

// SavedPeer is one peer as last heard.
type SavedPeer struct {
	Node      string    `yaml:"node"`
	Instance  string    `yaml:"instance"`
	Address   string    `yaml:"address"`
	Version   string    `yaml:"version,omitempty"`
	FirstSeen time.Time `yaml:"first_seen"`
	LastSeen  time.Time `yaml:"last_seen"`
	Disks     []Disk    `yaml:"disks"`
	Legacy    bool      `yaml:"legacy,omitempty"` // the original Perl diskd
}

// Sighting records the last time and place a disk was seen present.
type Sighting struct {
	Node string    `yaml:"node"`
	At   time.Time `yaml:"at"`
	Disk Disk      `yaml:"disk"`
}

// GetStateSnapshot asks Info for its knowledge; answered by StateSnapshot.
type GetStateSnapshot struct{}

// StateChanged tells StateStore that Info's knowledge changed. Significant
// changes (a peer or disk came or went) are saved within a second; others
// (only last-seen times moved) at a slower pace, so an idle daemon does not
// write its disk every second.
type StateChanged struct {
	Significant bool
}
