package gossip

import "time"

// rateLimits is a token bucket per source address: a source may send
// burst datagrams at once and rate per second after that.
type rateLimits struct {
	rate, burst float64
	max         int
	buckets     map[string]*bucket
	evicted     uint64 // buckets evicted from a full table
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimits(rate, burst float64, max int) *rateLimits {
	return &rateLimits{rate: rate, burst: burst, max: max, buckets: map[string]*bucket{}}
}

// allow takes a token from src's bucket, if it has one.
func (r *rateLimits) allow(src string, now time.Time) bool {
	b := r.buckets[src]
	if b == nil {
		if len(r.buckets) >= r.max {
			evictOne(r.buckets)
			r.evicted++
		}
		b = &bucket{tokens: r.burst, last: now}
		r.buckets[src] = b
	}
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(r.burst, b.tokens+d.Seconds()*r.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// prune forgets the buckets that have refilled: they are as good as new.
func (r *rateLimits) prune(now time.Time) {
	full := time.Duration(r.burst / r.rate * float64(time.Second))
	for src, b := range r.buckets {
		if now.Sub(b.last) >= full {
			delete(r.buckets, src)
		}
	}
}

// evictOne removes one entry (Go's map order is random), so that a full
// table forgets one sender rather than all of them at once.
func evictOne[K comparable, V any](m map[K]V) {
	for k := range m {
		delete(m, k)
		return
	}
}
