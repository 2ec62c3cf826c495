package web

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/diskd-actors/diskd-actors/messages"
)

func testStatus() *messages.Status {
	good := time.Unix(1_700_000_000, 0)
	return &messages.Status{
		Node: "a", Instance: "i1", Version: "v1", Started: time.Unix(1_600_000_000, 0), Local: 3,
		States: map[string]int{messages.PeerAlive: 2, messages.PeerSuspect: 1, messages.PeerDown: 0},
		Network: messages.NetStats{OwnIn: 4, SendErrors: 1,
			Link:   &messages.LinkStatus{Up: true, Rejoins: 2},
			ByKind: map[string]messages.KindTraffic{"announce": {DatagramsIn: 10, BytesIn: 1000, DatagramsOut: 5, BytesOut: 500}}},
		Drops:    map[string]uint64{"replay": 7, "state_too_large": 1},
		Blkid:    &messages.ScanReport{Duration: 1500 * time.Millisecond, Outcome: "timeout"},
		LastGood: &good,
		Parts:    map[string]messages.PartHealth{"info": {Restarts: 2}},
		Sessions: messages.SessionStats{Open: 3, MaxOpen: 64, Busy: 1},
		Limits:   messages.Limits{MaxDisks: 100, Disks: 40, MaxPeers: 10, MaxBytes: 1 << 20, Bytes: 4096},
		Runs: map[string]messages.RunStats{"blkid": {Outcomes: map[string]uint64{"ok": 5, "timeout": 1}, Seconds: 2.5},
			"mounts": {Outcomes: map[string]uint64{"ok": 9}, Seconds: 0.01}},
		HTTP: &messages.HTTPStatus{Requests: 12, Streams: 1},
	}
}

// gather collects c through a pedantic registry, which checks that every
// metric matches its description and that no series is repeated.
func gather(t *testing.T, c prometheus.Collector) map[string]*dto.MetricFamily {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, f := range fams {
		out[f.GetName()] = f
	}
	return out
}

// value returns the value of the series of name with these label values
// (name=value pairs), or -1.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := fams[name]
	if f == nil {
		return -1
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		}
	}
	return -1
}

func TestCollector_OneSnapshotAllMetrics(t *testing.T) {
	calls := 0
	c := NewCollector(func(context.Context) (*messages.Status, error) { calls++; return testStatus(), nil },
		func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
		[]string{"info", "http"})
	fams := gather(t, c)
	if calls != 1 {
		t.Errorf("status asked %d times in one scrape, want 1", calls)
	}
	for _, name := range MetricNames() {
		f := fams[name]
		if f == nil {
			t.Errorf("%s missing", name)
			continue
		}
		if f.GetHelp() == "" {
			t.Errorf("%s has no HELP", name)
		}
		isCounter := f.GetType() == dto.MetricType_COUNTER
		if isCounter != strings.HasSuffix(name, "_total") {
			t.Errorf("%s: type %v; counters and only counters end in _total", name, f.GetType())
		}
	}
	for _, tc := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"diskd_status_up", nil, 1},
		{"diskd_build_info", []string{"node", "a", "version", "v1", "instance", "i1"}, 1},
		{"diskd_start_time_seconds", nil, 1_600_000_000},
		{"diskd_datagrams_received_total", []string{"kind", "announce"}, 10},
		{"diskd_sent_bytes_total", []string{"kind", "announce"}, 500},
		{"diskd_drops_total", []string{"reason", "replay"}, 7},
		{"diskd_drops_total", []string{"reason", "state_too_large"}, 1},
		{"diskd_drops_total", []string{"reason", "bad_signature"}, 0}, // known reasons start at 0
		{"diskd_peers", []string{"state", "suspect"}, 1},
		{"diskd_disks", []string{"scope", "local"}, 3},
		{"diskd_disks", []string{"scope", "peers"}, 40},
		{"diskd_peer_disks_limit_bytes", nil, 1 << 20},
		{"diskd_scan_runs_total", []string{"source", "blkid", "outcome", "timeout"}, 1},
		{"diskd_scan_seconds_total", []string{"source", "blkid"}, 2.5},
		{"diskd_blkid_last_duration_seconds", nil, 1.5},
		{"diskd_blkid_last_success_timestamp_seconds", nil, 1_700_000_000},
		{"diskd_actor_restarts_total", []string{"actor", "info"}, 2},
		{"diskd_actor_restarts_total", []string{"actor", "http"}, 0},
		{"diskd_sessions_open", nil, 3},
		{"diskd_link_rejoins_total", nil, 2},
		{"diskd_http_requests_total", nil, 12},
	} {
		if got := value(fams, tc.name, tc.labels...); got != tc.want {
			t.Errorf("%s%v = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
}

func TestCollector_DaemonNotAnswering(t *testing.T) {
	c := NewCollector(func(context.Context) (*messages.Status, error) { return nil, errors.New("timeout") },
		func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }, nil)
	fams := gather(t, c)
	if len(fams) != 1 || value(fams, "diskd_status_up") != 0 {
		t.Errorf("got %d families, diskd_status_up %v; want only diskd_status_up 0", len(fams), value(fams, "diskd_status_up"))
	}
}

// Every metric is documented in operations.md's Metrics section.
func TestCollector_EveryMetricDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	if i := strings.Index(doc, "## Metrics"); i >= 0 {
		doc = doc[i:]
	}
	for _, name := range MetricNames() {
		if !strings.Contains(doc, "`"+name+"`") {
			t.Errorf("docs/operations.md (Metrics) does not document %s", name)
		}
	}
}
