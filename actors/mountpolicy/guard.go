package mountpolicy

import "time"

// ReplayCache remembers one-time request ids for a window, at most max of
// them: a request whose id it holds is a replay.
type ReplayCache struct {
	max    int
	window time.Duration
	seen   map[string]time.Time // id → when it was first seen
}

// Outcomes of ReplayCache.Add.
const (
	Fresh = iota // remembered now
	Seen         // a replay
	Full         // not remembered: max ids within the window
)

// NewReplayCache holds at most max ids, each for window.
func NewReplayCache(max int, window time.Duration) *ReplayCache {
	return &ReplayCache{max: max, window: window, seen: map[string]time.Time{}}
}

// Add remembers id at now, or says why not.
func (r *ReplayCache) Add(id string, now time.Time) int {
	if at, ok := r.seen[id]; ok && now.Sub(at) < r.window {
		return Seen
	}
	if len(r.seen) >= r.max {
		for k, at := range r.seen {
			if now.Sub(at) >= r.window {
				delete(r.seen, k)
			}
		}
		if len(r.seen) >= r.max {
			return Full
		}
	}
	r.seen[id] = now
	return Fresh
}

// Len is the ids held.
func (r *ReplayCache) Len() int { return len(r.seen) }

// RequesterRate is a token bucket per requesting node: burst requests at
// once, then one per every; at most max nodes are tracked, and a new node
// beyond them is refused until one of them is idle for burst×every.
type RequesterRate struct {
	max   int
	burst float64
	every time.Duration
	nodes map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// NewRequesterRate tracks at most max nodes.
func NewRequesterRate(max, burst int, every time.Duration) *RequesterRate {
	return &RequesterRate{max: max, burst: float64(burst), every: every, nodes: map[string]*bucket{}}
}

// Allow takes a token of node at now.
func (r *RequesterRate) Allow(node string, now time.Time) bool {
	b := r.nodes[node]
	if b == nil {
		if len(r.nodes) >= r.max {
			full := time.Duration(r.burst) * r.every
			for k, o := range r.nodes {
				if now.Sub(o.at) >= full {
					delete(r.nodes, k)
				}
			}
			if len(r.nodes) >= r.max {
				return false
			}
		}
		b = &bucket{tokens: r.burst, at: now}
		r.nodes[node] = b
	}
	if el := now.Sub(b.at); el > 0 {
		b.tokens = min(r.burst, b.tokens+float64(el)/float64(r.every))
		b.at = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// Len is the nodes tracked.
func (r *RequesterRate) Len() int { return len(r.nodes) }
