package web

import (
	"context"
	"sort"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// Collector turns one status snapshot per scrape into Prometheus metrics,
// so that no counter is kept twice: the daemon's counters stay where
// status reads them, and /metrics is a view of status.
type Collector struct {
	status func(context.Context) (*messages.Status, error)
	ctx    func() (context.Context, context.CancelFunc)
	parts  []string
}

// NewCollector makes a collector that asks status for each scrape, with
// the context newCtx gives (a timeout). Parts are the daemon's actors:
// each has a restart counter from 0, not from its first restart, so that
// increase() sees the first one.
func NewCollector(status func(context.Context) (*messages.Status, error), newCtx func() (context.Context, context.CancelFunc), parts []string) *Collector {
	return &Collector{status: status, ctx: newCtx, parts: parts}
}

// knownDrops are the drop reasons the wire names; each is exported from 0.
// Reasons of other parts (the state file's) appear at their first drop.
var knownDrops = []string{wire.DropUnauthenticated, wire.DropBadSignature, wire.DropUnverifiable,
	wire.DropLegacyInvalid, wire.DropOversize, wire.DropMalformed, wire.DropVersion, wire.DropKind,
	wire.DropInvalid, wire.DropLegacy, wire.DropStale, wire.DropWrongDest, wire.DropNodeClash,
	wire.DropReplay, wire.DropRate, wire.DropBusy, wire.DropPeerLimit, wire.DropPingLimit,
	wire.DropLegacyFromModern, wire.DropDecoderPanic, wire.DropOverBudget}

// metric describes one metric family: name, help, type and label names.
type metric struct {
	name string
	desc *prometheus.Desc
	typ  prometheus.ValueType
}

func newMetric(name, help string, typ prometheus.ValueType, labels ...string) metric {
	return metric{name, prometheus.NewDesc(name, help, labels, nil), typ}
}

const (
	counter = prometheus.CounterValue
	gauge   = prometheus.GaugeValue
)

// The metrics, in the order of docs/operations.md "Metrics".
var (
	mBuild    = newMetric("diskd_build_info", "Always 1; labels name this daemon.", gauge, "version", "node", "instance")
	mStart    = newMetric("diskd_start_time_seconds", "When the daemon started, in Unix seconds.", gauge)
	mStatusUp = newMetric("diskd_status_up", "1 when Info answered the scrape's status request; 0 and no other diskd_ metric when it did not.", gauge)

	mDgramIn   = newMetric("diskd_datagrams_received_total", "Datagrams received, by kind (undecoded: dropped before the kind was known).", counter, "kind")
	mBytesIn   = newMetric("diskd_received_bytes_total", "Bytes of datagrams received, by kind.", counter, "kind")
	mDgramOut  = newMetric("diskd_datagrams_sent_total", "Datagrams sent, by kind.", counter, "kind")
	mBytesOut  = newMetric("diskd_sent_bytes_total", "Bytes of datagrams sent, by kind.", counter, "kind")
	mOwnIn     = newMetric("diskd_own_datagrams_received_total", "Datagrams of this daemon heard back from the group.", counter)
	mSendErr   = newMetric("diskd_send_errors_total", "Datagrams that could not be sent.", counter)
	mDrops     = newMetric("diskd_drops_total", "Datagrams and inventories dropped, by reason.", counter, "reason")
	mLinkUp    = newMetric("diskd_link_up", "1 when the multicast interface is up.", gauge)
	mRejoins   = newMetric("diskd_link_rejoins_total", "Re-joins of the multicast group after the interface changed.", counter)
	mRebinds   = newMetric("diskd_link_rebinds_total", "Re-binds of the sending socket to a new address.", counter)
	mSendRun   = newMetric("diskd_link_consecutive_send_errors", "Sends failed in a row, now.", gauge)
	mPeers     = newMetric("diskd_peers", "Known peers, by state.", gauge, "state")
	mPeersMax  = newMetric("diskd_peers_limit", "The most peers held at once (limits.max_peers).", gauge)
	mDisks     = newMetric("diskd_disks", "Disks present now: this host's (local) and those of peers.", gauge, "scope")
	mDisksMax  = newMetric("diskd_peer_disks_limit", "The most peer disks held (limits.max_disks).", gauge)
	mBytes     = newMetric("diskd_peer_disks_estimated_bytes", "Estimated memory held for peers' disks.", gauge)
	mBytesMax  = newMetric("diskd_peer_disks_limit_bytes", "The budget of that memory (limits.max_bytes).", gauge)
	mSight     = newMetric("diskd_last_seen_records", "Records of disks last seen but gone.", gauge)
	mSightMax  = newMetric("diskd_last_seen_records_limit", "The most such records kept.", gauge)
	mSightEv   = newMetric("diskd_last_seen_evicted_total", "Last-seen records dropped at the cap, oldest first.", counter)
	mDupes     = newMetric("diskd_duplicate_uuids", "UUIDs present on more than one node now.", gauge)
	mRuns      = newMetric("diskd_scan_runs_total", "Runs of blkid (source=blkid) and reads of the mount table (source=mounts), by outcome: ok or the failure kind.", counter, "source", "outcome")
	mRunSecs   = newMetric("diskd_scan_seconds_total", "Time spent in those runs.", counter, "source")
	mBlkidLast = newMetric("diskd_blkid_last_duration_seconds", "How long the last blkid run took.", gauge)
	mBlkidOK   = newMetric("diskd_blkid_last_success_timestamp_seconds", "When the last good blkid run started, in Unix seconds.", gauge)
	mMountsErr = newMetric("diskd_mount_table_error", "1 while the mount table cannot be read (the last one is kept).", gauge)
	mAnnErr    = newMetric("diskd_announce_refused", "1 while the local inventory cannot be announced (peers keep the previous one).", gauge)
	mRestarts  = newMetric("diskd_actor_restarts_total", "Restarts of each actor of the daemon by its supervisor.", counter, "actor")
	mInfoFail  = newMetric("diskd_info_failed_messages_total", "Messages whose handler panicked in Info (each dropped).", counter)
	mGQueued   = newMetric("diskd_gossip_queued_datagrams", "Decoded datagrams waiting for the multicast actor.", gauge)
	mGFlight   = newMetric("diskd_gossip_in_flight_bytes", "Bytes of inventories being assembled from chunks.", gauge)
	mGEvicted  = newMetric("diskd_gossip_evicted_total", "Entries evicted from the protocol engine's full tables.", counter)
	mGExpired  = newMetric("diskd_gossip_assemblies_expired_total", "Inventories whose chunks did not all arrive in time.", counter)
	mSessions  = newMetric("diskd_sessions_open", "Client sessions on the unix socket, now.", gauge)
	mSessMax   = newMetric("diskd_sessions_limit", "The most sessions at once; more are refused.", gauge)
	mSessBusy  = newMetric("diskd_sessions_refused_total", "Sessions refused because the limit was reached.", counter)
	mDebug     = newMetric("diskd_debug_streams", "Sessions streaming debug events, now.", gauge)
	mEvDrop    = newMetric("diskd_session_events_dropped_total", "Debug events dropped for clients reading too slowly.", counter)
	mSlowCli   = newMetric("diskd_slow_clients_disconnected_total", "Clients disconnected for taking no byte of an answer in time.", counter)
	mHTTPReq   = newMetric("diskd_http_requests_total", "HTTP requests served.", counter)
	mHTTPBusy  = newMetric("diskd_http_api_busy_total", "/api requests refused because too many were running.", counter)
	mStreams   = newMetric("diskd_http_event_streams", "Web pages following /events, now.", gauge)
	mStreamRef = newMetric("diskd_http_event_streams_refused_total", "/events clients refused at the limit.", counter)
	mStreamDr  = newMetric("diskd_http_slow_event_streams_dropped_total", "/events clients dropped for falling behind.", counter)
)

var allMetrics = []metric{mBuild, mStart, mStatusUp, mDgramIn, mBytesIn, mDgramOut, mBytesOut, mOwnIn, mSendErr,
	mDrops, mLinkUp, mRejoins, mRebinds, mSendRun, mPeers, mPeersMax, mDisks, mDisksMax, mBytes, mBytesMax,
	mSight, mSightMax, mSightEv, mDupes, mRuns, mRunSecs, mBlkidLast, mBlkidOK, mMountsErr, mAnnErr,
	mRestarts, mInfoFail, mGQueued, mGFlight, mGEvicted, mGExpired, mSessions, mSessMax, mSessBusy, mDebug,
	mEvDrop, mSlowCli, mHTTPReq, mHTTPBusy, mStreams, mStreamRef, mStreamDr}

// MetricNames lists the names of the daemon's own metrics (those of the
// Go runtime and the process are client_golang's), for the tests and the
// documentation check.
func MetricNames() []string {
	names := make([]string, len(allMetrics))
	for i, m := range allMetrics {
		names[i] = m.name
	}
	return names
}

// Describe sends every metric's descriptor.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range allMetrics {
		ch <- m.desc
	}
}

// Collect takes one status snapshot and sends the metrics it holds.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := c.ctx()
	defer cancel()
	st, err := c.status(ctx)
	if err != nil || st == nil {
		ch <- prometheus.MustNewConstMetric(mStatusUp.desc, gauge, 0)
		return
	}
	emit := func(m metric, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(m.desc, m.typ, v, labels...)
	}
	emit(mStatusUp, 1)
	emit(mBuild, 1, st.Version, st.Node, st.Instance)
	emit(mStart, float64(st.Started.UnixNano())/1e9)

	n := st.Network
	for _, k := range sortedKeys(n.ByKind) {
		t := n.ByKind[k]
		emit(mDgramIn, float64(t.DatagramsIn), k)
		emit(mBytesIn, float64(t.BytesIn), k)
		emit(mDgramOut, float64(t.DatagramsOut), k)
		emit(mBytesOut, float64(t.BytesOut), k)
	}
	emit(mOwnIn, float64(n.OwnIn))
	emit(mSendErr, float64(n.SendErrors))
	for _, r := range sortedKeys(withZeros(st.Drops, knownDrops)) {
		emit(mDrops, float64(st.Drops[r]), r)
	}
	if l := n.Link; l != nil {
		emit(mLinkUp, b2f(l.Up))
		emit(mRejoins, float64(l.Rejoins))
		emit(mRebinds, float64(l.Rebinds))
		emit(mSendRun, float64(l.ConsecutiveSendErrors))
	}

	for _, s := range []string{messages.PeerAlive, messages.PeerSuspect, messages.PeerDown} {
		emit(mPeers, float64(st.States[s]), s)
	}
	lim := st.Limits
	emit(mPeersMax, float64(lim.MaxPeers))
	emit(mDisks, float64(st.Local), "local")
	emit(mDisks, float64(lim.Disks), "peers")
	emit(mDisksMax, float64(lim.MaxDisks))
	emit(mBytes, float64(lim.Bytes))
	emit(mBytesMax, float64(lim.MaxBytes))
	emit(mSight, float64(lim.Sightings))
	emit(mSightMax, float64(lim.MaxSightings))
	emit(mSightEv, float64(lim.SightingsEvicted))
	emit(mDupes, float64(len(st.Duplicates)))

	for _, src := range sortedKeys(st.Runs) {
		r := st.Runs[src]
		for _, o := range sortedKeys(r.Outcomes) {
			emit(mRuns, float64(r.Outcomes[o]), src, o)
		}
		emit(mRunSecs, r.Seconds, src)
	}
	if b := st.Blkid; b != nil {
		emit(mBlkidLast, b.Duration.Seconds())
	}
	if st.LastGood != nil {
		emit(mBlkidOK, float64(st.LastGood.UnixNano())/1e9)
	}
	emit(mMountsErr, b2f(st.Mounts != ""))
	emit(mAnnErr, b2f(st.Announce.Error != ""))
	for _, p := range sortedKeys(withZeros(st.Parts, c.parts)) {
		emit(mRestarts, float64(st.Parts[p].Restarts), p)
	}
	emit(mInfoFail, float64(st.InfoFailed))

	g := st.Gossip
	emit(mGQueued, float64(g.Queued))
	emit(mGFlight, float64(g.InFlightBytes))
	emit(mGEvicted, float64(g.Evicted))
	emit(mGExpired, float64(g.AssembliesExpired))

	s := st.Sessions
	emit(mSessions, float64(s.Open))
	emit(mSessMax, float64(s.MaxOpen))
	emit(mSessBusy, float64(s.Busy))
	emit(mDebug, float64(s.Debug))
	emit(mEvDrop, float64(s.EventsDropped))
	emit(mSlowCli, float64(s.SlowClients))

	if h := st.HTTP; h != nil {
		emit(mHTTPReq, float64(h.Requests))
		emit(mHTTPBusy, float64(h.APIBusy))
		emit(mStreams, float64(h.Streams))
		emit(mStreamRef, float64(h.StreamsRefused))
		emit(mStreamDr, float64(h.SlowStreams))
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// withZeros returns m with a zero value for each of keys it lacks (a copy).
func withZeros[V any](m map[string]V, keys []string) map[string]V {
	out := make(map[string]V, len(m)+len(keys))
	for _, k := range keys {
		var zero V
		out[k] = zero
	}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
