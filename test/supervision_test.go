package test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/test/bed"
)

// Each part made to panic (through the test-only "_panic" command) is
// restarted alone: the daemon keeps answering with its data intact, keeps
// hearing and reaching its peer, and status counts the restart.
func TestSupervision_PanicsRestartOnePart(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	a := n.start("pa", exportDisk("/dev/sda1", uuidFor(0, 1), "alpha", "ext4"))
	b := n.start("pb", exportDisk("/dev/sda1", uuidFor(1, 1), "beta", "ext4"))
	for _, d := range []*daemon{a, b} {
		eventually(t, 10*time.Second, d.name+" lists both disks", func() bool { return len(d.list()) == 2 })
	}
	for i, part := range []string{"disk_watcher", "multicast", "sockets", "info", "session"} {
		s := a.dialRaw()
		s.line()
		_, status := s.send("_panic " + part + "\n")
		if !strings.HasPrefix(status, ".ok") {
			t.Fatalf("_panic %s: %q", part, status)
		}
		// While the socket listener restarts, a connection may be refused
		// or reset: the poll tolerates that, the checks below do not.
		bed.WaitFor(t, 5*time.Second, "status shows the restart of "+part, func() (bool, error) {
			var st struct {
				Parts map[string]struct {
					Restarts int `json:"restarts"`
				} `json:"parts"`
			}
			err := a.host.QueryJSON("status", &st)
			return err == nil && st.Parts[part].Restarts >= 1, err
		})
		if got := a.list(); len(got) != 2 {
			t.Fatalf("after _panic %s: %d disks, want 2 (state lost?)", part, len(got))
		}
		// The peer still hears about changes, and we hear the peer's.
		label := "beta-" + part
		if err := os.WriteFile(b.blkid, []byte(exportDisk("/dev/sda1", uuidFor(1, 1), label, "ext4")), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, status := b.query("refresh"); !strings.HasPrefix(status, ".ok") {
			t.Fatalf("refresh on pb: %s", status)
		}
		eventually(t, 5*time.Second, "pa sees pb's relabel after _panic "+part, func() bool {
			for _, d := range a.list() {
				if d.Node == "pb" && d.Label == label {
					return true
				}
			}
			return false
		})
		alabel := "alpha-" + part
		if err := os.WriteFile(a.blkid, []byte(exportDisk("/dev/sda1", uuidFor(0, 1), alabel, "ext4")), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, status := a.query("refresh"); !strings.HasPrefix(status, ".ok") {
			t.Fatalf("refresh on pa after _panic %s: %s", part, status)
		}
		eventually(t, 5*time.Second, "pb sees pa's relabel after _panic "+part, func() bool {
			for _, d := range b.list() {
				if d.Node == "pa" && d.Label == alabel {
					return true
				}
			}
			return false
		})
		_ = i
	}
	if !strings.Contains(a.logText(), "actor panicked") {
		t.Errorf("log lacks the panics")
	}
}

// blkid failing in every way never crashes the daemon nor wipes the last
// good list; status reports each outcome.
func TestDiskWatcher_BlkidFailuresKeepLastGoodList(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	script := dir + "/blkid.sh"
	mode := dir + "/mode"
	// The fake blkid behaves as the file "mode" says.
	body := `#!/bin/sh
case "$(cat ` + mode + `)" in
ok) printf 'DEVNAME=/dev/sda1\nLABEL=keep\\ me\nUUID=11111111-2222-4333-8444-555555555555\nTYPE=ext4\n' ;;
fail) echo "blkid: permission trouble" >&2; exit 4 ;;
garbage) printf 'this is not blkid output\n' ;;
hang) sleep 600 ;;
esac
`
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	setMode := func(m string) {
		if err := os.WriteFile(mode, []byte(m), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	setMode("ok")
	d := newNetwork(t).start("flaky", "", withBlkidCommand(script))
	eventually(t, 5*time.Second, "first good run", func() bool { return len(d.list()) == 1 })
	for _, c := range []struct{ mode, outcome string }{
		{"fail", "exit"}, {"garbage", "parse"}, {"hang", "timeout"},
	} {
		setMode(c.mode)
		out, errs, code := d.client("refresh")
		if code != 2 || !strings.Contains(errs, c.outcome) {
			t.Errorf("refresh with blkid %s: exit %d, stdout %q, stderr %q; want exit 2 naming %q", c.mode, code, out, errs, c.outcome)
		}
		got := d.list()
		if len(got) != 1 || got[0].Label != "keep me" {
			t.Errorf("after blkid %s: list %+v, want the last good disk", c.mode, got)
		}
		blk, _ := d.status()["blkid"].(map[string]any)
		if blk["outcome"] != c.outcome {
			t.Errorf("status after blkid %s: outcome %v, want %s", c.mode, blk["outcome"], c.outcome)
		}
	}
	setMode("ok")
	if _, errs, code := d.client("refresh"); code != 0 {
		t.Errorf("refresh after recovery: %s", errs)
	}
	// A missing program.
	m := newNetwork(t).start("missing", "", withBlkidCommand(dir+"/no-such-blkid"))
	eventually(t, 5*time.Second, "missing program reported", func() bool {
		blk, _ := m.status()["blkid"].(map[string]any)
		return blk["outcome"] == "not_found"
	})
	if got := m.list(); len(got) != 0 {
		t.Errorf("missing blkid: %d disks, want 0", len(got))
	}
}
