package test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const mountLine = "36 35 8:1 / /mnt/my\\040data ro,noatime master:1 - ext4 /dev/sda1 rw,errors=continue\n"
const rootLine = "22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"

// A mount table (a fixture here; the real one in the root test below)
// reaches the peers: list carries mount points, mounts lists mounted disks,
// an unmount is seen too.
func TestMounts_FixtureReachesPeers(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	table := filepath.Join(t.TempDir(), "mountinfo")
	if err := os.WriteFile(table, []byte(rootLine+mountLine), 0o600); err != nil {
		t.Fatal(err)
	}
	a := n.start("ma", exportDisk("/dev/sda1", uuidFor(0, 1), "my data", "ext4")+exportDisk("/dev/sdb1", uuidFor(0, 2), "spare", "xfs"), withMountsFile(table))
	b := n.start("mb", "")
	// mountsOf reads label's mounts from `list --json`, through the
	// client binary or (when polling) straight from the socket.
	mountsOf := func(d *daemon, label string, client bool) []string {
		var out string
		if client {
			o, _, code := d.client("--json", "list")
			if code != 0 {
				return nil
			}
			out = o
		} else {
			lines, status := d.query("list --json")
			if !strings.HasPrefix(status, ".ok") || len(lines) != 1 {
				return nil
			}
			out = lines[0]
		}
		var disks []struct {
			Label  string `json:"label"`
			Mounts []struct {
				Path string `json:"path"`
				RO   bool   `json:"ro"`
			} `json:"mounts"`
		}
		json.Unmarshal([]byte(out), &disks)
		for _, x := range disks {
			if x.Label == label {
				var paths []string
				for _, m := range x.Mounts {
					p := m.Path
					if m.RO {
						p += " (ro)"
					}
					paths = append(paths, p)
				}
				return append(paths, "")
			}
		}
		return nil
	}
	eventually(t, 10*time.Second, "mb sees ma's disk mounted read-only on '/mnt/my data'", func() bool {
		m := mountsOf(b, "my data", false)
		return len(m) == 2 && m[0] == "/mnt/my data (ro)"
	})
	if m := mountsOf(b, "my data", true); len(m) != 2 || m[0] != "/mnt/my data (ro)" {
		t.Errorf("mb's listing of ma's mounted disk, through the client: %q", m)
	}
	if m := mountsOf(a, "my data", true); len(m) != 2 || m[0] != "/mnt/my data (ro)" {
		t.Errorf("ma's own listing of its mounted disk: %q", m)
	}
	out, _, code := b.client("mounts")
	if code != 0 || !strings.Contains(out, `"/mnt/my data"`) || strings.Contains(out, "spare") {
		t.Errorf("mounts on mb: exit %d, %q; want the mounted disk only", code, out)
	}
	// Unmount: no peer still believes it is mounted.
	if err := os.WriteFile(table, []byte(rootLine), 0o600); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "mb sees the unmount", func() bool {
		m := mountsOf(b, "my data", false)
		return len(m) == 1
	})
}

// The real thing, as root: a loop-device filesystem mounted and unmounted
// on this host reaches a peer, through real blkid and /proc/self/mountinfo.
func TestMounts_RealLoopDevice(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create and mount a loop device (CI runs as root)")
	}
	for _, tool := range []string{"losetup", "mkfs.ext4", "mount", "umount", "blkid"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s: %v", tool, err)
		}
	}
	dir := t.TempDir()
	img, mnt := filepath.Join(dir, "disk.img"), filepath.Join(dir, "mnt point")
	if err := os.Mkdir(mnt, 0o700); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v: %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run("truncate", "-s", "8M", img)
	label := "lööp test"
	run("mkfs.ext4", "-q", "-F", "-L", label, img)
	dev := run("losetup", "-f", "--show", img)
	t.Cleanup(func() {
		exec.Command("umount", mnt).Run()
		exec.Command("losetup", "-d", dev).Run()
	})
	n := newNetwork(t)
	a := n.start("real", "", withBlkidCommand("blkid", "-c", "/dev/null", "-o", "export", "-d"),
		withMountsFile("/proc/self/mountinfo"))
	b := n.start("watcher", "")
	findOn := func(d *daemon) (found bool, mounts []string) {
		for _, x := range d.listFull() {
			if x.Node == "real" && x.Label == label && x.Device == dev {
				for _, m := range x.Mounts {
					mounts = append(mounts, m.Path)
				}
				return true, mounts
			}
		}
		return false, nil
	}
	eventually(t, 10*time.Second, "watcher sees the loop device", func() bool {
		a.query("refresh")
		found, _ := findOn(b)
		return found
	})
	run("mount", "-o", "ro", dev, mnt)
	eventually(t, 10*time.Second, "watcher sees it mounted", func() bool {
		_, m := findOn(b)
		return len(m) == 1 && m[0] == mnt
	})
	run("umount", mnt)
	eventually(t, 10*time.Second, "watcher sees it unmounted", func() bool {
		found, m := findOn(b)
		return found && len(m) == 0
	})
}

// ping makes every peer announce now, and is rate-limited on the asking
// side.
func TestPing_AsksPeersToAnnounce(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	opts := []daemonOpt{withTimers("1h", "3h")}
	a := n.start("pga", exportDisk("/dev/sda1", uuidFor(0, 1), "pga", "ext4"), opts...)
	b := n.start("pgb", exportDisk("/dev/sda1", uuidFor(1, 1), "pgb", "ext4"), opts...)
	eventually(t, 10*time.Second, "pgb lists pga's disk", func() bool { return countNode(b.list(), "pga") == 1 })
	out := func(d *daemon) float64 {
		nw, _ := d.status()["network"].(map[string]any)
		v, _ := nw["datagrams_out"].(float64)
		return v
	}
	before := out(a)
	if o, e, code := b.client("ping"); code != 0 {
		t.Fatalf("ping: exit %d, %q %q", code, o, e)
	}
	eventually(t, 5*time.Second, "pga announces after the ping", func() bool { return out(a) > before })
	o, e, code := b.client("ping")
	if code != 2 || !strings.Contains(e, "rate") {
		t.Errorf("second ping at once: exit %d, %q %q; want exit 2, rate-limited", code, o, e)
	}
}

// debug streams events until the client sends a line.
func TestDebug_StreamsEvents(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	a := n.start("dba", exportDisk("/dev/sda1", uuidFor(0, 1), "dba", "ext4"))
	s := a.dialRaw()
	s.line()
	if _, err := s.conn.Write([]byte("debug --json\n")); err != nil {
		t.Fatal(err)
	}
	b := n.start("dbb", exportDisk("/dev/sda1", uuidFor(1, 1), "dbb", "ext4"))
	kinds := map[string]bool{}
	deadline := time.Now().Add(10 * time.Second)
	for !(kinds["peer_up"] && kinds["peer_left"]) && time.Now().Before(deadline) {
		if kinds["peer_up"] && b.running() {
			b.stop()
		}
		l := s.line()
		var ev struct {
			Kind, Node string
		}
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("debug --json line %q: %v", l, err)
		}
		if ev.Node == "dbb" {
			kinds[ev.Kind] = true
		}
	}
	if !kinds["peer_up"] || !kinds["peer_left"] || !kinds["disk_added"] {
		t.Fatalf("events about dbb: %v, want peer_up, disk_added and peer_left", kinds)
	}
	lines, status := s.send("\n")
	for _, l := range lines {
		if !strings.HasPrefix(l, "{") {
			t.Errorf("non-JSON line in the stream: %q", l)
		}
	}
	if !strings.HasPrefix(status, ".ok ") || !strings.HasSuffix(status, "events") {
		t.Errorf("end of stream: %q, want .ok N events", status)
	}
	if _, status := s.send("list\n"); !strings.HasPrefix(status, ".ok") {
		t.Errorf("the session after debug: %q", status)
	}
}

// Two live daemons under one node name are reported as a conflict.
func TestLiveness_NodeNameConflict(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	obs := n.start("observer", "")
	n.start("twin", exportDisk("/dev/sda1", uuidFor(0, 1), "twin-1", "ext4"), withTimers("300ms", "3s"))
	n.start("twin", exportDisk("/dev/sda1", uuidFor(1, 1), "twin-2", "ext4"), withTimers("300ms", "3s"))
	eventually(t, 10*time.Second, "observer flags the conflict", func() bool {
		lines, _ := obs.query("peers")
		return strings.Contains(strings.Join(lines, "\n"), "CONFLICT")
	})
	if out, _, code := obs.client("peers"); code != 0 || !strings.Contains(out, "CONFLICT") {
		t.Errorf("peers through the client: exit %d, %q; want the conflict flagged", code, out)
	}
}
