package test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
)

// kill -9 makes a peer go suspect then down within peer.timeout; its disks
// leave the listing but where still says where they were last seen. A
// graceful stop is seen at once (goodbye), and a restart is recognised.
func TestLiveness_DownGoodbyeRestart(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	opts := []daemonOpt{withTimers("500ms", "2s")}
	a := n.start("la", exportDisk("/dev/sda1", uuidFor(0, 1), "la-disk", "ext4"), opts...)
	b := n.start("lb", exportDisk("/dev/sda1", uuidFor(1, 1), "lb-disk", "ext4"), opts...)
	c := n.start("lc", exportDisk("/dev/sda1", uuidFor(2, 1), "lc-disk", "ext4"), opts...)
	eventually(t, 10*time.Second, "la lists all disks", func() bool { return len(a.list()) == 3 })
	for _, node := range []string{"lb", "lc"} {
		eventually(t, 10*time.Second, "la sees "+node+" alive", func() bool { return a.peerState(node) == "alive" })
	}

	// Every change of state from here on, in order, as la reports it.
	events, err := a.host.Events()
	if err != nil {
		t.Fatal(err)
	}
	defer events.Close()

	// kill -9: no goodbye. lc goes down for its silence, after the peer
	// timeout by la's own clock, never as a goodbye.
	c.kill()
	down, err := events.WaitFor(10*time.Second, "la marks lc down", func(ev messages.Event) bool {
		return ev.Node == "lc" && ev.Kind == messages.EventPeerDown
	})
	if err != nil {
		t.Fatal(err)
	}
	if silent := silence(t, down); silent < 2*time.Second {
		t.Errorf("lc marked down after %v of silence (%q), before the peer timeout (2s) had passed", silent, down.Detail)
	}
	for _, ev := range events.About("lc") {
		if ev.Kind == messages.EventPeerLeft {
			t.Errorf("la saw lc leave (%+v): a killed daemon says no goodbye", ev)
		}
		if ev.Kind == messages.EventPeerSuspect && silence(t, ev) < time.Second {
			t.Errorf("lc suspect after %v of silence (%q), before half the peer timeout", silence(t, ev), ev.Detail)
		}
	}
	if p := peerOf(t, a, "lc"); p.State != "down" || p.Left {
		t.Errorf("lc after kill -9: %+v, want down and not left", p)
	}
	if got := countNode(a.list(), "lc"); got != 0 {
		t.Errorf("la lists %d of lc's disks after lc went down, want 0", got)
	}
	out, errs, code := a.client("where", "lc-disk")
	if code != 0 || !strings.Contains(out, "last seen") || !strings.Contains(out, "lc") {
		t.Errorf("where lc-disk after lc died: exit %d, %q %q; want exit 0, 'last seen' and lc", code, out, errs)
	}

	// A graceful stop: the goodbye marks it down at once: a peer_left
	// event, never a peer_down for silence.
	if err := b.host.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	left, err := events.WaitFor(10*time.Second, "la sees lb's goodbye", func(ev messages.Event) bool {
		// (A suspect lb, on a loaded machine, is no end yet.)
		return ev.Node == "lb" && (ev.Kind == messages.EventPeerLeft || ev.Kind == messages.EventPeerDown)
	})
	if err != nil {
		t.Fatal(err)
	}
	if left.Kind != messages.EventPeerLeft {
		t.Errorf("lb after SIGTERM: first event %s (%q), want %s: the goodbye, not the silence", left.Kind, left.Detail, messages.EventPeerLeft)
	}
	if p := peerOf(t, a, "lb"); p.State != "down" || !p.Left {
		t.Errorf("lb after its goodbye: %+v, want down and left", p)
	}
	if err := b.host.Wait(15 * time.Second); err != nil {
		t.Errorf("lb after SIGTERM: %v, want exit 0", err)
	}

	// A restart: a new instance, alive again, counted.
	c.restart()
	eventually(t, 5*time.Second, "la sees lc alive again", func() bool { return a.peerState("lc") == "alive" })
	if p := peerOf(t, a, "lc"); p.Restarts != 1 || p.LastSeen.IsZero() {
		t.Errorf("lc after its restart: %+v, want 1 restart and a last_seen", p)
	}
	if got := countNode(a.list(), "lc"); got != 1 {
		t.Errorf("la lists %d of lc's disks after its restart, want 1", got)
	}
}

// silence reads how long the peer had been silent from the detail of a
// peer state event ("silent for 1.2s"): the daemon's own measure.
func silence(t *testing.T, ev messages.Event) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(strings.TrimPrefix(ev.Detail, "silent for "))
	if err != nil {
		t.Fatalf("%s event about %s: detail %q, want \"silent for DURATION\"", ev.Kind, ev.Node, ev.Detail)
	}
	return d
}

// peerOf returns node's entry in d's `peers --json`.
func peerOf(t *testing.T, d *daemon, node string) messages.Peer {
	t.Helper()
	ps, err := d.host.Peers()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Node == node {
			return p
		}
	}
	t.Fatalf("%s does not know %s: %+v", d.name, node, ps)
	return messages.Peer{}
}

// The state file: a restarted daemon still answers where for disks it saw
// before, after a clean stop and after kill -9; a corrupt file is moved
// aside and the daemon starts empty.
func TestPersistence_RestartAndCorruptFile(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	state := filepath.Join(t.TempDir(), "state", "diskd.yaml")
	a := n.start("pa", exportDisk("/dev/sda1", uuidFor(0, 1), "pa-disk", "ext4"), withStateFile(state))
	b := n.start("pb", exportDisk("/dev/sdb1", uuidFor(1, 1), "travel disk", "exfat"))
	eventually(t, 10*time.Second, "pa lists pb's disk", func() bool { return countNode(a.list(), "pb") == 1 })
	b.stop()

	// kill -9 loses at most the last second: wait until the file holds pb.
	eventually(t, 5*time.Second, "state file mentions pb's disk", func() bool {
		data, err := os.ReadFile(state)
		return err == nil && strings.Contains(string(data), uuidFor(1, 1))
	})
	a.kill()
	a.restart()
	out, errs, code := a.client("where", "travel disk")
	if code != 0 || !strings.Contains(out, "last seen on pb") {
		t.Errorf("where after kill -9 and restart: exit %d, %q %q; want 'last seen on pb'", code, out, errs)
	}
	if st := a.peerState("pb"); st != "down" {
		t.Errorf("pb restored as %q, want down", st)
	}

	// A clean stop saves too.
	a.stop()
	fi, err := os.Stat(state)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file after stop: %v %v, want mode 0600", fi, err)
	}
	a.restart()
	if _, _, code := a.client("where", uuidFor(1, 1)); code != 0 {
		t.Errorf("where by UUID after a clean restart: exit %d, want 0", code)
	}
	a.stop()

	// Corrupt: moved aside, the daemon starts empty and keeps running.
	if err := os.WriteFile(state, []byte("version: 1\npeers: [[[\n\x00garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	a.restart()
	if _, _, code := a.client("where", "travel disk"); code != 1 {
		t.Errorf("where after a corrupt state file: exit %d, want 1 (started empty)", code)
	}
	aside, _ := filepath.Glob(state + ".corrupt-*")
	if len(aside) != 1 {
		t.Errorf("corrupt state file moved aside: %v, want one file", aside)
	}
	if !strings.Contains(a.logText(), "state file not usable") {
		t.Errorf("the log does not warn about the corrupt state file")
	}
	eventually(t, 5*time.Second, "a fresh state file is written", func() bool {
		data, err := os.ReadFile(state)
		return err == nil && strings.Contains(string(data), `"version":2`)
	})
}
