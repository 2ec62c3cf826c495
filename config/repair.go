package config

import "time"

// Repair tunes the repair exchange between daemons (docs/protocol.md,
// "Repair"). The defaults suit LANs of up to a few hundred hosts.
type Repair struct {
	// StartupDelay: a (re)started daemon sends its inventory after a
	// random delay in [StartupDelay/4, StartupDelay], so that daemons
	// started together (after a power cut) mostly listen before anyone
	// sends, and each inventory goes out once. About 30 ms per host the LAN
	// may start at once; 0 sends at once. 0..60s.
	StartupDelay time.Duration `yaml:"startup_delay"`
	// Unit: a receiver that lacks chunks waits d·U[1,3] before it asks,
	// with d = Unit × (peers+1), at most 500 ms; larger spreads requests
	// of many receivers further apart. 100µs..100ms.
	Unit time.Duration `yaml:"unit"`
}

// Defaults of the repair section.
const (
	DefaultStartupDelay = 3 * time.Second
	DefaultRepairUnit   = 2 * time.Millisecond
)

func defaultRepair() Repair {
	return Repair{StartupDelay: DefaultStartupDelay, Unit: DefaultRepairUnit}
}

// repairProblems checks the repair section.
func (c *Config) repairProblems(add func(key string, value any, format string, args ...any)) {
	r := c.Repair
	if r.StartupDelay < 0 || r.StartupDelay > time.Minute {
		add("repair.startup_delay", r.StartupDelay, "must be between 0 and 60s")
	}
	if r.Unit < 100*time.Microsecond || r.Unit > 100*time.Millisecond {
		add("repair.unit", r.Unit, "must be between 100µs and 100ms")
	}
}
