package gossip

import (
	"math/rand/v2"
	"time"

	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// Config sets the engine's identity and bounds. Zero fields take the
// defaults below.
type Config struct {
	Node, Instance string // this daemon: its own datagrams are skipped

	SourceRate  float64 // datagrams per second from one source address
	SourceBurst float64 // a source's bucket size

	MaxSources    int // rate buckets and modern-source marks kept
	MaxWindows    int // replay windows kept (one per sender instance)
	MaxKnown      int // delivered generations remembered (one per node)
	MaxAssemblies int // inventories being assembled at once
	// MaxInFlightDisks and MaxInFlightBytes bound what all assemblies
	// together hold. Info's own budget (limits.max_disks) bounds what is
	// accepted; this bounds what is held before it is offered.
	MaxInFlightDisks int
	MaxInFlightBytes int

	AskEvery        time.Duration // at most one request per assembly, one resend per chunk
	PingAnswerEvery time.Duration // at most one ping answered
	// AssemblyTimeout abandons an assembly that got no chunk for so long.
	AssemblyTimeout time.Duration
	// SeedWait, when set, holds requests back until Seed is called or
	// SeedWait has passed since the first call: a restarted engine first
	// learns from Info which generations it already has.
	SeedWait time.Duration

	// Repair (repair.go): a request waits d·U[1,3] with d = RepairUnit ×
	// (peers+1); a burst of chunks that stops short counts as ended after
	// QuietWait. Rand returns a uniform number in [0, 1).
	RepairUnit time.Duration
	QuietWait  time.Duration
	Rand       func() float64
}

// Defaults.
const (
	DefaultSourceRate       = 2000
	DefaultSourceBurst      = 2 * wire.MaxChunks
	DefaultMaxSources       = 4096
	DefaultMaxWindows       = 4096
	DefaultMaxKnown         = 20000
	DefaultMaxAssemblies    = 1024
	DefaultMaxInFlightDisks = 200000
	DefaultMaxInFlightBytes = 64 << 20
	DefaultAskEvery         = 200 * time.Millisecond
	DefaultPingAnswerEvery  = time.Second
	DefaultAssemblyTimeout  = time.Minute
	DefaultRepairUnit       = 2 * time.Millisecond
	DefaultQuietWait        = 50 * time.Millisecond
)

func (c Config) withDefaults() Config {
	setF := func(v *float64, d float64) {
		if *v <= 0 {
			*v = d
		}
	}
	setI := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	setD := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	setF(&c.SourceRate, DefaultSourceRate)
	setF(&c.SourceBurst, DefaultSourceBurst)
	setI(&c.MaxSources, DefaultMaxSources)
	setI(&c.MaxWindows, DefaultMaxWindows)
	setI(&c.MaxKnown, DefaultMaxKnown)
	setI(&c.MaxAssemblies, DefaultMaxAssemblies)
	setI(&c.MaxInFlightDisks, DefaultMaxInFlightDisks)
	setI(&c.MaxInFlightBytes, DefaultMaxInFlightBytes)
	setD(&c.AskEvery, DefaultAskEvery)
	setD(&c.PingAnswerEvery, DefaultPingAnswerEvery)
	setD(&c.AssemblyTimeout, DefaultAssemblyTimeout)
	setD(&c.RepairUnit, DefaultRepairUnit)
	setD(&c.QuietWait, DefaultQuietWait)
	if c.Rand == nil {
		c.Rand = rand.Float64
	}
	return c
}
