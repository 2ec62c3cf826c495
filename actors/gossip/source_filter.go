package gossip

import "time"

// FilterFactor is how much more a SourceFilter lets through than the
// engine's own per-source limit.
const FilterFactor = 2

// SourceFilter is a first check of a datagram's source address, made by
// the reader before the datagram is authenticated or decoded, so that a
// source flooding far past its limit costs a map look-up per datagram
// instead of an HMAC, a decode and a trip through the actor. It allows
// FilterFactor times the engine's rate and burst, so that it refuses
// nothing the engine would take: near the limit, the engine (Receive)
// still decides. Bounded like the engine's table (MaxSources). Not safe
// for concurrent use: the reader has its own.
type SourceFilter struct {
	r         *rateLimits
	lastPrune time.Time
	refused   uint64
}

// NewSourceFilter returns the filter for an engine of config c.
func NewSourceFilter(c Config) *SourceFilter {
	c = c.withDefaults()
	return &SourceFilter{r: newRateLimits(FilterFactor*c.SourceRate, FilterFactor*c.SourceBurst, c.MaxSources)}
}

// Allow reports whether a datagram from src may go on to be decoded.
// About once a second it forgets the sources whose buckets have refilled.
func (f *SourceFilter) Allow(src string, now time.Time) bool {
	if d := now.Sub(f.lastPrune); d >= time.Second || d < 0 {
		f.r.prune(now)
		f.lastPrune = now
	}
	if f.r.allow(src, now) {
		return true
	}
	f.refused++
	return false
}

// SourceFilterStats are a SourceFilter's table size and counters.
type SourceFilterStats struct {
	Sources          int    // buckets held
	Refused, Evicted uint64 // datagrams refused; buckets evicted from a full table
}

// Stats returns the filter's table size and counters.
func (f *SourceFilter) Stats() SourceFilterStats {
	return SourceFilterStats{Sources: len(f.r.buckets), Refused: f.refused, Evicted: f.r.evicted}
}
