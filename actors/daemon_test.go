package actors

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/goleak"

	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testDaemon starts a daemon on the in-memory transport.Hub whose blkid prints the
// file it returns.
func testDaemon(t *testing.T, h *transport.Hub, node, disks string, opts ...func(*Options)) (*Daemon, string) {
	t.Helper()
	dir := t.TempDir()
	blkid := filepath.Join(dir, "blkid.txt")
	if err := os.WriteFile(blkid, []byte(disks), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Fast()
	cfg.Node = node
	cfg.Socket = filepath.Join(dir, "s")
	cfg.Blkid.Command = []string{"cat", blkid}
	cfg.Blkid.Interval = time.Hour
	cfg.Announce.Interval = time.Hour
	cfg.Peer.Timeout = 3 * time.Hour
	o := Options{Config: cfg, Version: "test", Transport: h.Transport(node)}
	for _, f := range opts {
		f(&o)
	}
	dm, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dm.Stop)
	return dm, blkid
}

// query asks a part from outside the system and waits for the reply.
func query[T any](t *testing.T, dm *Daemon, pid *actor.PID, q any) T {
	t.Helper()
	res, err := dm.sys.Root.RequestFuture(pid, q, 5*time.Second).Result()
	if err != nil {
		t.Fatalf("%T: %v", q, err)
	}
	v, ok := res.(T)
	if !ok {
		t.Fatalf("%T answered %T", q, res)
	}
	return v
}

func inventory(t *testing.T, dm *Daemon) []messages.NodeDisk {
	return query[*messages.Inventory](t, dm, dm.deps.pids.info, &messages.GetInventory{}).Disks
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true within 5s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

const diskA = "DEVNAME=/dev/sda1\nLABEL=alpha\nUUID=aaaaaaaa-0000-4000-8000-000000000001\nTYPE=ext4\n"
const diskB = "DEVNAME=/dev/sdb1\nLABEL=beta\\ disk\nUUID=bbbbbbbb-0000-4000-8000-000000000001\nTYPE=xfs\n"

func TestDaemon_TwoNodesShareDisksAndRescan(t *testing.T) {
	h := &transport.Hub{}
	a, blkidA := testDaemon(t, h, "a", diskA)
	b, _ := testDaemon(t, h, "b", diskB)
	for _, dm := range []*Daemon{a, b} {
		waitFor(t, dm.id.Node+" knows both disks", func() bool { return len(inventory(t, dm)) == 2 })
	}
	w := query[*messages.WhereResult](t, b, b.deps.pids.info, &messages.Where{Query: "alpha"})
	if len(w.Matches) != 1 || w.Matches[0].Node != "a" || w.Matches[0].Local {
		t.Fatalf("where alpha on b: got %+v, want one remote match on a", w.Matches)
	}
	w = query[*messages.WhereResult](t, a, a.deps.pids.info, &messages.Where{Query: "beta disk"})
	if len(w.Matches) != 1 || w.Matches[0].Node != "b" {
		t.Fatalf("where \"beta disk\" on a: got %+v, want b", w.Matches)
	}

	// A rescan that finds a change announces it at once.
	if err := os.WriteFile(blkidA, []byte(diskA+"\n"+"DEVNAME=/dev/sdc1\nLABEL=gamma\nTYPE=vfat\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	done := query[*messages.RescanDone](t, a, a.deps.pids.diskWatcher, &messages.Rescan{})
	if !done.Changed || done.Report.Outcome != "ok" || done.Report.Disks != 2 {
		t.Fatalf("rescan: got %+v, want a change to 2 disks", done)
	}
	waitFor(t, "b sees gamma", func() bool {
		return len(query[*messages.WhereResult](t, b, b.deps.pids.info, &messages.Where{Query: "gamma"}).Matches) == 1
	})
	done = query[*messages.RescanDone](t, a, a.deps.pids.diskWatcher, &messages.Rescan{})
	if done.Changed {
		t.Errorf("second rescan: got changed, want unchanged")
	}
	peers := query[*messages.Peers](t, b, b.deps.pids.info, &messages.GetPeers{}).Peers
	if len(peers) != 1 || peers[0].Node != "a" || peers[0].Disks != 2 || peers[0].Instance != a.Instance() {
		t.Errorf("b's peers: got %+v, want a with 2 disks", peers)
	}
}

// A panic in any part restarts that part alone: Info's knowledge survives,
// and status records the restart.
func TestDaemon_PanicRestartsOnePart(t *testing.T) {
	h := &transport.Hub{}
	a, _ := testDaemon(t, h, "a", diskA)
	b, _ := testDaemon(t, h, "b", diskB)
	waitFor(t, "a knows both disks", func() bool { return len(inventory(t, a)) == 2 })
	p := a.deps.pids
	for name, pid := range map[string]*actor.PID{"info": p.info, "disk_watcher": p.diskWatcher, "multicast": p.multicast, "sockets": p.sockets} {
		a.sys.Root.Send(pid, &messages.Crash{})
		waitFor(t, name+" restart recorded", func() bool { return a.deps.health.snapshot()[name].Restarts == 1 })
		if got := inventory(t, a); len(got) != 2 {
			t.Fatalf("after a panic in %s: %d disks, want 2", name, len(got))
		}
	}
	// The restarted multicast server still announces: b sees a rescan's result.
	if got := query[*messages.RescanDone](t, a, p.diskWatcher, &messages.Rescan{}); got.Report.Outcome != "ok" {
		t.Fatalf("rescan after restarts: %+v", got.Report)
	}
	st := query[*messages.Status](t, a, p.info, &messages.GetStatus{})
	if len(st.Parts) != 4 {
		t.Errorf("status parts: got %v, want 4 entries", st.Parts)
	}
	_ = b
}

// A part that keeps failing is backed off, not restarted in a busy loop.
func TestDaemon_RepeatedFailuresBackOff(t *testing.T) {
	h := &transport.Hub{}
	a, _ := testDaemon(t, h, "a", diskA)
	waitFor(t, "a knows its disk", func() bool { return len(inventory(t, a)) == 1 })
	for i := 1; i <= restartBurst+1; i++ {
		a.sys.Root.Send(a.deps.pids.diskWatcher, &messages.Crash{})
		waitFor(t, "restart recorded", func() bool { return a.deps.health.snapshot()["disk_watcher"].Restarts == i })
	}
	ph := a.deps.health.snapshot()["disk_watcher"]
	if ph.BackoffTill.IsZero() || !ph.BackoffTill.After(ph.LastFailed) {
		t.Fatalf("after %d failures: got %+v, want a back-off", restartBurst+1, ph)
	}
	// Info is unaffected meanwhile.
	if got := inventory(t, a); len(got) != 1 {
		t.Errorf("inventory during back-off: %d disks, want 1", len(got))
	}
	// After the back-off the part works again.
	waitFor(t, "disk watcher answers after its back-off", func() bool {
		res, err := a.sys.Root.RequestFuture(a.deps.pids.diskWatcher, &messages.Rescan{}, 3*time.Second).Result()
		return err == nil && res.(*messages.RescanDone).Report.Outcome == "ok"
	})
}

// Hostile datagrams are counted by reason and change nothing.
func TestDaemon_HostileDatagramsCounted(t *testing.T) {
	h := &transport.Hub{}
	// legacy.accept is off by default; on, a bad legacy datagram counts as legacy_invalid.
	a, _ := testDaemon(t, h, "a", diskA, func(o *Options) { o.Config.Legacy.Accept = true })
	waitFor(t, "a knows its disk", func() bool { return len(inventory(t, a)) == 1 })
	for _, junk := range []string{"", "diskd:[1, 2, 3]", "{", `{"v":9}`, `{"v":1,"kind":"announce","node":"x y"}`, strings.Repeat("x", 2000)} {
		h.Inject([]byte(junk))
	}
	want := map[string]uint64{wire.DropMalformed: 2, wire.DropLegacyInvalid: 1, wire.DropVersion: 1, wire.DropInvalid: 1, wire.DropOversize: 1}
	waitFor(t, "drops counted", func() bool {
		d := a.deps.stats.dropsSnapshot()
		for k, v := range want {
			if d[k] != v {
				return false
			}
		}
		return true
	})
	if got := inventory(t, a); len(got) != 1 {
		t.Errorf("after junk: %d disks, want 1", len(got))
	}
	// A replayed announcement from a known peer is dropped.
	b := encodeForTest("b", "00000000000000bb", 5)
	h.Inject(b)
	waitFor(t, "b known", func() bool { return len(inventory(t, a)) == 2 })
	h.Inject(b)
	waitFor(t, "replay counted", func() bool { return a.deps.stats.dropsSnapshot()[wire.DropReplay] == 1 })
}

// encodeForTest builds a version 1 announcement of a single disk.
func encodeForTest(node, instance string, seq uint64) []byte {
	return fmt.Appendf(nil, `{"v":1,"kind":"announce","node":%q,"instance":%q,"seq":%d,"disks":[{"uuid":"u-%s","label":%q,"device":"/dev/x"}]}`,
		node, instance, seq, node, node)
}
