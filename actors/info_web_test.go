package actors

import (
	"os"
	"testing"

	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/messages"
)

func search(t *testing.T, dm *Daemon, q string, limit int) *messages.SearchResult {
	return query[*messages.SearchResult](t, dm, dm.deps.pids.info, &messages.Search{Query: q, Limit: limit})
}

func hostsOf(t *testing.T, dm *Daemon, max int) *messages.Hosts {
	return query[*messages.Hosts](t, dm, dm.deps.pids.info, &messages.GetHosts{MaxDisks: max})
}

// The web page's questions: a disk found by part of a field while present,
// then as last seen once its node dropped it, then with its node down.
func TestInfo_SearchAndHostsFollowTheDisks(t *testing.T) {
	h := &transport.Hub{}
	a, _ := testDaemon(t, h, "a", diskA)
	b, blkidB := testDaemon(t, h, "b", diskB+"\nDEVNAME=/dev/sdc1\nLABEL=Gamma\nUUID=cccccccc-0000-4000-8000-000000000001\nTYPE=ext4\n")
	waitFor(t, "a knows every disk", func() bool { return len(inventory(t, a)) == 3 })

	if r := search(t, a, "ETA D", 50); len(r.Matches) != 1 || r.Matches[0].Node != "b" || r.Matches[0].Label != "beta disk" {
		t.Errorf("search for part of a label: %+v", r.Matches)
	}
	if r := search(t, a, "0000-4000", 2); len(r.Matches) != 2 || !r.Truncated {
		t.Errorf("search over the limit: %d matches, truncated %v; want 2, true", len(r.Matches), r.Truncated)
	}
	if r := search(t, a, "  ", 50); len(r.Matches)+len(r.LastSeen) != 0 {
		t.Errorf("a blank search found %+v", r)
	}
	hs := hostsOf(t, a, 2)
	if len(hs.Hosts) != 2 || hs.Hosts[0].Node != "a" || !hs.Hosts[0].Local || hs.Hosts[1].State != messages.PeerAlive ||
		len(hs.Hosts[0].Disks)+len(hs.Hosts[1].Disks) != 2 || hs.DisksLeftOut != 1 {
		t.Errorf("hosts with room for 2 disks: %+v", hs)
	}

	// b drops beta: a keeps it as last seen on b.
	if err := os.WriteFile(blkidB, []byte("DEVNAME=/dev/sdc1\nLABEL=Gamma\nUUID=cccccccc-0000-4000-8000-000000000001\nTYPE=ext4\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	query[*messages.RescanDone](t, b, b.deps.pids.diskWatcher, &messages.Rescan{})
	waitFor(t, "a sees beta go", func() bool { return len(inventory(t, a)) == 2 })
	r := search(t, a, "beta", 50)
	if len(r.Matches) != 0 || len(r.LastSeen) != 1 || r.LastSeen[0].Node != "b" {
		t.Errorf("search for a disk gone: %+v", r)
	}
	if hs := hostsOf(t, a, messages.MaxHostsDisks); len(hs.Gone) != 1 || hs.Gone[0].Label != "beta disk" {
		t.Errorf("hosts' gone disks: %+v", hs.Gone)
	}

	// b stops: down, its disks are last seen, not shown under it.
	b.Stop()
	waitFor(t, "b down", func() bool { return peerOf(t, a, "b").State == messages.PeerDown })
	hs = hostsOf(t, a, messages.MaxHostsDisks)
	if hs.Hosts[1].State != messages.PeerDown || !hs.Hosts[1].Left || len(hs.Hosts[1].Disks) != 0 || len(hs.Gone) != 2 {
		t.Errorf("hosts after b stopped: %+v", hs)
	}
	if r := search(t, a, "gamma", 50); len(r.Matches) != 0 || len(r.LastSeen) != 1 {
		t.Errorf("search for a down peer's disk: %+v", r)
	}
}
