package actors

import (
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

const reloadKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

func statusOf(t *testing.T, dm *Daemon) *messages.Status {
	return query[*messages.Status](t, dm, dm.deps.pids.info, &messages.GetStatus{})
}

// A reload reaches every part as ApplySettings: keys (unsigned datagrams
// are refused from then on), the announce interval, the log level; the
// no-keys warning goes from status; a restarted part keeps the reload.
func TestDaemon_ReloadAppliesLiveSettings(t *testing.T) {
	h := &transport.Hub{}
	lv := &slog.LevelVar{}
	a, _ := testDaemon(t, h, "a", diskA, func(o *Options) { o.Level = lv })
	waitFor(t, "a knows its disk", func() bool { return len(inventory(t, a)) == 1 })
	if w := statusOf(t, a).Warnings; len(w) != 1 || !strings.Contains(w[0], "no auth keys") {
		t.Fatalf("status warnings without keys: %q, want the no-keys warning", w)
	}
	if err := a.Healthy(time.Second); err != nil {
		t.Fatalf("Healthy: %v", err)
	}

	next := *a.cfg
	next.Auth.Keys = []string{reloadKey}
	next.Announce.Interval = 90 * time.Minute
	next.Log.Level = "debug"
	next.Multicast.Port = 4000 // needs a restart
	live, restart, err := a.Reload(&next)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"announce.interval", "auth.keys", "log.level"}; !slices.Equal(live, want) {
		t.Errorf("live %q, want %q", live, want)
	}
	if want := []string{"multicast.port"}; !slices.Equal(restart, want) {
		t.Errorf("restart %q, want %q", restart, want)
	}
	if lv.Level() != slog.LevelDebug {
		t.Errorf("log level %v, want debug", lv.Level())
	}
	if w := statusOf(t, a).Warnings; len(w) != 0 {
		t.Errorf("status warnings with a key: %q, want none", w)
	}
	if a.cfg.Multicast.Port == 4000 || a.cfg.Announce.Interval != 90*time.Minute {
		t.Errorf("settings in force: port %d, announce %v; want the old port and the new interval", a.cfg.Multicast.Port, a.cfg.Announce.Interval)
	}
	// (Counts only grow: the daemon's own unsigned announcements from
	// before the reload may come back too.)
	h.Inject(encodeForTest("b", "00000000000000bb", 1))
	waitFor(t, "an unsigned announcement refused", func() bool {
		return a.deps.stats.dropsSnapshot()[wire.DropUnauthenticated] >= 1
	})
	refused := a.deps.stats.dropsSnapshot()[wire.DropUnauthenticated]

	// A restarted multicast actor asks for the settings again.
	a.sys.Root.Send(a.deps.pids.multicast, &messages.Crash{})
	waitFor(t, "multicast restarted", func() bool { return a.deps.health.snapshot()["multicast"].Restarts >= 1 })
	// The restarted reader listens once its settings have come: until
	// then an injected datagram may be lost, so each poll sends one more.
	seq := uint64(0)
	waitFor(t, "still refused after the restart", func() bool {
		seq++
		h.Inject(encodeForTest("c", "00000000000000cc", seq))
		return a.deps.stats.dropsSnapshot()[wire.DropUnauthenticated] > refused
	})
	if got := inventory(t, a); len(got) != 1 {
		t.Errorf("inventory: %d disks, want only a's", len(got))
	}
}

// A bad configuration is refused whole and the settings stay.
func TestDaemon_ReloadRefusesBadConfig(t *testing.T) {
	h := &transport.Hub{}
	a, _ := testDaemon(t, h, "a", diskA)
	before := a.cfg
	bad := *a.cfg
	bad.Announce.Interval = time.Millisecond
	if _, _, err := a.Reload(&bad); err == nil || !strings.Contains(err.Error(), "announce.interval") {
		t.Errorf("bad interval: %v, want a refusal naming announce.interval", err)
	}
	bad = *a.cfg
	bad.Auth.KeyFiles = []string{"/nonexistent/diskd-key"}
	if _, _, err := a.Reload(&bad); err == nil || !strings.Contains(err.Error(), "auth.key_files[0]") {
		t.Errorf("missing key file: %v, want a refusal naming auth.key_files[0]", err)
	}
	if a.cfg != before {
		t.Errorf("a refused reload changed the settings in force")
	}
	if w := statusOf(t, a).Warnings; len(w) != 1 {
		t.Errorf("warnings after refused reloads: %q, want the no-keys warning still", w)
	}
}

// Every part answers the watchdog's health ask, the state store included.
func TestDaemon_HealthyWithStateFile(t *testing.T) {
	dir := t.TempDir()
	a, _ := testDaemon(t, &transport.Hub{}, "a", diskA, func(o *Options) { o.Config.StateFile = dir + "/state.yaml" })
	if a.deps.pids.stateStore == nil {
		t.Fatal("no state store with a state file")
	}
	if err := a.Healthy(2 * time.Second); err != nil {
		t.Error(err)
	}
}

func TestDaemon_WaitFirstScan(t *testing.T) {
	a, _ := testDaemon(t, &transport.Hub{}, "a", diskA)
	if err := a.WaitFirstScan(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if l := query[*messages.LocalDisks](t, a, a.deps.pids.info, &messages.GetLocalDisks{}); !l.Ready {
		t.Errorf("after WaitFirstScan: not ready")
	}
}
