package actors

import (
	"errors"
	"io/fs"
	"sync"
	"sync/atomic"
	"time"

	"github.com/diskd-actors/diskd-actors/actors/web"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// Counters that /metrics needs beyond the totals in stats: traffic by
// datagram kind, runs of blkid and of the mount table, and the HTTP
// listener's. Like stats they outlive restarts of the actors that write
// them.

// kindUndecoded counts datagrams dropped before their kind was known.
const kindUndecoded = "undecoded"

// kindLegacy counts datagrams of the original Perl diskd.
const kindLegacy = "legacy"

// kindCounters is traffic by kind. The keys are a fixed set (the wire
// kinds, legacy, undecoded): a kind from the network is never a key, so
// the map stays bounded.
type kindCounters struct {
	mu sync.Mutex
	m  map[string]*messages.KindTraffic
}

// knownKind maps a kind to its counter key; an unknown one (the decoder
// rejects them, so only a bug) counts as undecoded.
func knownKind(kind string) string {
	switch kind {
	case wire.KindAnnounce, wire.KindChunk, wire.KindRequest, wire.KindGoodbye, wire.KindPing, kindLegacy:
		return kind
	}
	return kindUndecoded
}

func (k *kindCounters) add(kind string, in bool, bytes int) {
	kind = knownKind(kind)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = map[string]*messages.KindTraffic{}
	}
	t := k.m[kind]
	if t == nil {
		t = &messages.KindTraffic{}
		k.m[kind] = t
	}
	if in {
		t.DatagramsIn++
		t.BytesIn += uint64(bytes)
	} else {
		t.DatagramsOut++
		t.BytesOut += uint64(bytes)
	}
}

func (k *kindCounters) snapshot() map[string]messages.KindTraffic {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make(map[string]messages.KindTraffic, len(k.m))
	for kind, t := range k.m {
		out[kind] = *t
	}
	return out
}

// sentByKind is the datagrams sent by kind, those sent only: the figure
// a mass start is judged by (gossip.repair.sent_by_kind in status).
func (k *kindCounters) sentByKind() map[string]uint64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := map[string]uint64{}
	for kind, t := range k.m {
		if t.DatagramsOut > 0 {
			out[kind] = t.DatagramsOut
		}
	}
	return out
}

// Sources of runs.
const (
	runBlkid  = "blkid"
	runMounts = "mounts"
)

// runCounters counts runs by source and outcome; both are fixed sets.
type runCounters struct {
	mu sync.Mutex
	m  map[string]*messages.RunStats
}

func (r *runCounters) record(source, outcome string, took time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[string]*messages.RunStats{}
	}
	s := r.m[source]
	if s == nil {
		s = &messages.RunStats{Outcomes: map[string]uint64{}}
		r.m[source] = s
	}
	s.Outcomes[outcome]++
	s.Seconds += took.Seconds()
}

func (r *runCounters) snapshot() map[string]messages.RunStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]messages.RunStats{}
	for src, s := range r.m {
		o := make(map[string]uint64, len(s.Outcomes))
		for k, v := range s.Outcomes {
			o[k] = v
		}
		out[src] = messages.RunStats{Outcomes: o, Seconds: s.Seconds}
	}
	return out
}

// httpStats are the HTTP listener's: its address and the counters its
// handlers write (web.Counters), which outlive restarts of the HTTP actor.
type httpStats struct {
	listen  string
	address atomic.Pointer[string]
	lim     web.Limits
	ctr     web.Counters
	// subscribed is 1 while the HTTP actor is among Info's event
	// subscribers, which status counts as debug sessions otherwise.
	subscribed atomic.Int64
}

func (h *httpStats) subscribers() int64 {
	if h == nil {
		return 0
	}
	return h.subscribed.Load()
}

func newHTTPStats(listen string) *httpStats {
	lim := web.DefaultLimits
	// The parts as the supervisor names them (partName); state_store
	// only with a state file, but a counter at 0 says nothing false.
	lim.Parts = []string{"info", "disk_watcher", "mount_watcher", "multicast", "sockets", "session", "state_store", "http"}
	return &httpStats{listen: listen, lim: lim}
}

func (h *httpStats) status() *messages.HTTPStatus {
	if h == nil {
		return nil
	}
	c := &h.ctr
	s := &messages.HTTPStatus{Listen: h.listen, Requests: c.Requests.Load(),
		MaxAPI: h.lim.MaxAPI, APIBusy: c.APIBusy.Load(), Streams: c.Streams.Load(), MaxStreams: h.lim.MaxStreams,
		StreamsRefused: c.StreamsRefused.Load(), SlowStreams: c.SlowStreams.Load(), QueueEvents: h.lim.QueueEvents}
	if a := h.address.Load(); a != nil {
		s.Address = *a
	}
	return s
}

// mountOutcome names a mount-table read's outcome as the blkid outcomes
// do: ok, not_found, permission, or read for any other failure.
func mountOutcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, fs.ErrNotExist):
		return "not_found"
	case errors.Is(err, fs.ErrPermission):
		return "permission"
	}
	return "read"
}

// recordRun counts one run; tests that build a part without the daemon's
// stats count nothing.
func (s *stats) recordRun(source, outcome string, took time.Duration) {
	if s != nil {
		s.runs.record(source, outcome, took)
	}
}

// clusterStatus is the cluster transport's part of status; nil without.
func (s *stats) clusterStatus() *messages.ClusterStatus {
	if f := s.cluster.Load(); f != nil {
		return (*f)()
	}
	return nil
}
