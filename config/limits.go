package config

// Limits bound what the daemon holds for its peers, so that memory stays
// bounded whatever arrives on the network. An inventory that would take the
// daemon past a limit is refused whole (never cut) and counted as a drop;
// the peer's last good inventory is kept.
type Limits struct {
	// MaxDisks: disks of all peers together, 1..10,000,000.
	MaxDisks int `yaml:"max_disks"`
	// MaxPeers: peers known at once, 1..100,000.
	MaxPeers int `yaml:"max_peers"`
	// MaxBytes: an estimate of the bytes held for peers' disks (their
	// fields plus a fixed overhead per disk and per mount), 1 MiB..64 GiB.
	MaxBytes int `yaml:"max_bytes"`
}

// Defaults of the limits: at the defaults a daemon holds at most 200,000
// peer disks of at most 256 MiB (see docs/operations.md for the RSS).
const (
	DefaultMaxDisks = 200_000
	DefaultMaxPeers = 10_000
	DefaultMaxBytes = 256 << 20
)

// Bounds of the limits, checked by Validate.
const (
	MaxMaxDisks = 10_000_000
	MaxMaxPeers = 100_000
	MinMaxBytes = 1 << 20
	MaxMaxBytes = 64 << 30
)

func defaultLimits() Limits {
	return Limits{MaxDisks: DefaultMaxDisks, MaxPeers: DefaultMaxPeers, MaxBytes: DefaultMaxBytes}
}

// limitProblems checks the limits section.
func (c *Config) limitProblems(add func(key string, value any, format string, args ...any)) {
	l := c.Limits
	if l.MaxDisks < 1 || l.MaxDisks > MaxMaxDisks {
		add("limits.max_disks", l.MaxDisks, "must be between 1 and %d", MaxMaxDisks)
	}
	if l.MaxPeers < 1 || l.MaxPeers > MaxMaxPeers {
		add("limits.max_peers", l.MaxPeers, "must be between 1 and %d", MaxMaxPeers)
	}
	if l.MaxBytes < MinMaxBytes || l.MaxBytes > MaxMaxBytes {
		add("limits.max_bytes", l.MaxBytes, "must be between %d (1 MiB) and %d (64 GiB)", MinMaxBytes, MaxMaxBytes)
	}
}
