package messages

import (
	"encoding/json"
	"slices"
	"sort"
	"testing"
	"time"
)

// keysOf returns the top-level keys of v's JSON object, sorted.
func keysOf(t *testing.T, v any) []string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// The JSON field names of --json answers are an interface: scripts read
// them. These cases pin the names of zero values (what is always written)
// and of full values (what optional fields are called). Status types may
// grow (append-only), so for them only the presence of the pinned names is
// checked.
func TestJSONFieldNames_stable(t *testing.T) {
	at := time.Date(2026, 12, 2, 1, 2, 3, 0, time.UTC)
	for _, c := range []struct {
		name  string
		v     any
		want  []string
		exact bool
	}{
		{"event zero", Event{}, []string{"kind", "time"}, true},
		{"event full", Event{Time: at, Kind: EventDiskAdded, Node: "n", Detail: "d", Disk: &Disk{}},
			[]string{"detail", "disk", "kind", "node", "time"}, true},
		{"scan report zero", ScanReport{}, []string{"disks", "duration_ns", "outcome", "run_id", "started"}, true},
		{"scan report error", ScanReport{Error: "x"}, []string{"disks", "duration_ns", "error", "outcome", "run_id", "started"}, true},
		{"peer zero", Peer{}, []string{"address", "disks", "first_seen", "instance", "last_seen", "node", "restarts", "seq", "state"}, true},
		{"peer flags", Peer{Left: true, Conflict: true, Legacy: true, Version: "v"},
			[]string{"address", "conflict", "disks", "first_seen", "instance", "last_seen", "left", "legacy", "node", "restarts", "seq", "state", "version"}, true},
		{"peer transports", Peer{Transports: []string{TransportCluster}},
			[]string{"address", "disks", "first_seen", "instance", "last_seen", "node", "restarts", "seq", "state", "transports"}, true},
		{"where result zero", WhereResult{}, []string{"last_seen", "matches", "query"}, true},
		{"where result duplicates", WhereResult{Duplicates: []string{"u"}}, []string{"duplicate_uuids", "last_seen", "matches", "query"}, true},
		{"seen", Seen{}, []string{"ago", "at", "device", "label", "node", "type", "uuid"}, true},
		{"ping refused", PingSent{RetryIn: time.Second}, []string{"retry_in_ns", "sent"}, true},
		{"ping sent", PingSent{Sent: true}, []string{"sent"}, true},
		{"rescan done", RescanDone{}, []string{"changed", "report"}, true},
		{"localhost", Localhost{}, []string{"addresses", "instance", "multicast_group", "multicast_interface", "node", "protocol", "socket", "version"}, true},
		{"status", Status{}, []string{"announce", "blkid", "drops", "duplicate_uuids", "gossip", "instance", "local_disks", "network",
			"node", "parts", "peer_states", "peers", "sessions", "started", "uptime", "version"}, false},
		{"status mounts error", Status{Mounts: "x", LastGood: &at}, []string{"blkid_last_good", "mounts_error"}, false},
		{"net stats", NetStats{}, []string{"bytes_in", "bytes_out", "datagrams_in", "datagrams_out", "own_datagrams_in", "send_errors"}, false},
		{"announce zero", AnnounceStatus{}, []string{"chunks", "disks", "generation", "seq"}, false},
		{"announce refused", AnnounceStatus{Error: "e", Last: at}, []string{"error", "last"}, false},
		{"part health zero", PartHealth{}, []string{"restarts"}, false},
		{"part health failed", PartHealth{LastFailure: "x", LastFailed: at, BackoffTill: at},
			[]string{"backoff_until", "last_failed", "last_failure", "restarts"}, false},
		{"sessions", SessionStats{}, []string{"answer_wait_ns", "answers_writing", "cut_at_stop", "debug_streams", "drain_wait_ns",
			"events_dropped", "lines_too_long", "max_open", "open", "queue_bytes", "queue_events", "refused_busy", "slow_clients_disconnected"}, false},
		{"gossip", GossipStatus{}, []string{"assemblies", "assemblies_expired", "evicted", "in_flight_bytes", "in_flight_disks",
			"known_generations", "max_in_flight_bytes", "max_in_flight_disks", "queued", "replay_windows", "seeded", "sources"}, false},
		{"link zero", LinkStatus{}, []string{"consecutive_send_errors", "fix_errors", "interface", "rebinds", "rejoins", "send_errors", "up", "watch"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := keysOf(t, c.v)
			if c.exact {
				if !slices.Equal(got, c.want) {
					t.Errorf("got %v, want %v", got, c.want)
				}
				return
			}
			for _, k := range c.want {
				if !slices.Contains(got, k) {
					t.Errorf("got %v, want it to contain %v", got, k)
				}
			}
		})
	}
}

// Zero times are left out where the field is optional (omitzero): a part
// that never failed must not claim it failed in year 1.
func TestJSON_zeroTimesOmitted(t *testing.T) {
	for _, c := range []struct {
		name string
		v    any
		not  []string
	}{
		{"part health", PartHealth{Restarts: 0}, []string{"last_failed", "backoff_until", "last_failure"}},
		{"announce", AnnounceStatus{}, []string{"last", "error"}},
		{"link", LinkStatus{}, []string{"last_fix_at", "last_send_error_at", "address", "last_fix", "fix_error", "last_send_error"}},
		{"net stats without link", NetStats{}, []string{"link"}},
		{"status without errors", Status{}, []string{"mounts_error", "blkid_last_good"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := keysOf(t, c.v)
			for _, k := range c.not {
				if slices.Contains(got, k) {
					t.Errorf("got %v, want no %v", got, k)
				}
			}
		})
	}
}

// A status with nothing run yet says so with JSON null, not an object of
// zeros that would read as run 0 succeeding.
func TestStatus_JSONBlkidNullBeforeFirstRun(t *testing.T) {
	b, err := json.Marshal(Status{})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if got := string(m["blkid"]); got != "null" {
		t.Errorf("got %v, want %v", got, "null")
	}
}

// Durations are written in nanoseconds (the field names say _ns), so a
// script can compute with them.
func TestJSON_durationsInNanoseconds(t *testing.T) {
	for _, c := range []struct {
		name string
		v    any
		want string
	}{
		{"scan report", ScanReport{Duration: 1500 * time.Millisecond, Outcome: "ok"},
			`{"run_id":0,"started":"0001-01-01T00:00:00Z","duration_ns":1500000000,"outcome":"ok","disks":0}`},
		{"ping", PingSent{RetryIn: 2 * time.Second}, `{"sent":false,"retry_in_ns":2000000000}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := json.Marshal(c.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != c.want {
				t.Errorf("got %s, want %s", b, c.want)
			}
		})
	}
}

// Seen embeds Disk: its fields are flattened into the object, not nested,
// and a nil mount list is left out like on a Disk.
func TestSeen_JSONFlattensDisk(t *testing.T) {
	at := time.Date(2026, 12, 2, 1, 2, 3, 0, time.UTC)
	b, err := json.Marshal(Seen{Node: "g", At: at, Ago: "2m17s", Disk: Disk{UUID: "c0ffee00", Label: "old"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"node":"g","at":"2026-12-02T01:02:03Z","ago":"2m17s","uuid":"c0ffee00","label":"old","device":"","type":""}`
	if string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}

// Event kinds are part of the debug stream's interface: append only, and
// no two share a name.
func TestEventKinds_distinct(t *testing.T) {
	kinds := []string{EventPeerUp, EventPeerSuspect, EventPeerDown, EventPeerLeft, EventPeerRestarted,
		EventPeerForgotten, EventPeerConflict, EventDiskAdded, EventDiskRemoved, EventDiskMounted,
		EventDiskUnmounted, EventDuplicateUUID, EventDrop, EventsDropped}
	seen := map[string]bool{}
	for _, k := range kinds {
		if seen[k] {
			t.Errorf("got %v twice, want distinct kinds", k)
		}
		seen[k] = true
	}
	if got := []string{EventPeerUp, EventDiskAdded, EventDrop, EventsDropped}; !slices.Equal(got,
		[]string{"peer_up", "disk_added", "drop", "events_dropped"}) {
		t.Errorf("got %v, want the documented names", got)
	}
	if got := []string{PeerAlive, PeerSuspect, PeerDown}; !slices.Equal(got, []string{"alive", "suspect", "down"}) {
		t.Errorf("got %v, want alive, suspect, down", got)
	}
}
