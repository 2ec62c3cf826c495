package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
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

	// kill -9: no goodbye. Down within the timeout (2s), give or take a check.
	killed := time.Now()
	c.kill()
	eventually(t, 4*time.Second, "la marks lc down", func() bool { return a.peerState("lc") == "down" })
	if took := time.Since(killed); took < time.Second {
		t.Errorf("lc marked down after %v, before the peer timeout could pass", took)
	}
	if got := countNode(a.list(), "lc"); got != 0 {
		t.Errorf("la lists %d of lc's disks after lc went down, want 0", got)
	}
	out, errs, code := a.client("where", "lc-disk")
	if code != 0 || !strings.Contains(out, "last seen") || !strings.Contains(out, "lc") {
		t.Errorf("where lc-disk after lc died: exit %d, %q %q; want exit 0, 'last seen' and lc", code, out, errs)
	}

	// A graceful stop: the goodbye marks it down at once, well before the
	// timeout.
	stopped := time.Now()
	b.cmd.Process.Signal(syscall.SIGTERM)
	eventually(t, time.Second, "la marks lb down after its goodbye", func() bool { return a.peerState("lb") == "down" })
	t.Logf("goodbye seen after %v", time.Since(stopped))
	<-b.exited

	// A restart: a new instance, alive again, counted.
	c.restart()
	eventually(t, 5*time.Second, "la sees lc alive again", func() bool { return a.peerState("lc") == "alive" })
	lines, _ := a.query("peers --json")
	var peers []struct {
		Node     string `json:"node"`
		Restarts int    `json:"restarts"`
		LastSeen string `json:"last_seen"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &peers); err != nil {
		t.Fatal(err)
	}
	for _, p := range peers {
		if p.Node == "lc" && (p.Restarts != 1 || p.LastSeen == "") {
			t.Errorf("lc after its restart: %+v, want 1 restart and a last_seen", p)
		}
	}
	if got := countNode(a.list(), "lc"); got != 1 {
		t.Errorf("la lists %d of lc's disks after its restart, want 1", got)
	}
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
