package test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// repairCounts reads the repair counters of status --json.
func (d *daemon) repairCounts() map[string]float64 {
	d.t.Helper()
	var st struct {
		Gossip struct {
			Repair map[string]any `json:"repair"`
		} `json:"gossip"`
		Announce struct {
			Gen float64 `json:"generation"`
		} `json:"announce"`
	}
	if err := d.host.QueryJSON("status", &st); err != nil {
		d.t.Fatalf("status on %s: %v", d.name, err)
	}
	out := map[string]float64{"generation": st.Announce.Gen}
	for k, v := range st.Gossip.Repair {
		if f, ok := v.(float64); ok {
			out[k] = f
		}
	}
	return out
}

func shelf(node, n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(exportDisk(fmt.Sprintf("/dev/disk/by-path/shelf-%d-%d", node, i),
			fmt.Sprintf("%08d-aaaa-4bbb-8ccc-%012d", node, i), fmt.Sprintf("shelf %d slot %d", node, i), "xfs"))
	}
	return b.String()
}

// A daemon that starts after a peer sent its inventory gets it by repair:
// the peer's announce shows the gap, the newcomer asks, the peer answers
// with chunks (its inventory does not change, so nothing else could bring
// them). A request for an older generation is ignored and counted as
// stale, over real sockets.
func TestRepair_LateJoinerAndStaleRequest(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	a := n.start("holder", shelf(1, 300)) // about 38 chunks
	eventually(t, 20*time.Second, "holder announced its 300 disks", func() bool {
		st := a.status()
		ann, _ := st["announce"].(map[string]any)
		disks, _ := ann["disks"].(float64)
		return disks == 300
	})
	b := n.start("late", shelf(2, 1))
	eventually(t, 30*time.Second, "late lists the holder's 300 disks", func() bool { return countNode(b.list(), "holder") == 300 })
	// The engine's counters reach status every half second.
	eventually(t, 10*time.Second, "late's request counted", func() bool { return b.repairCounts()["requests_sent"] >= 1 })
	eventually(t, 10*time.Second, "holder's answers counted", func() bool {
		r := a.repairCounts()
		return r["requests_answered"] >= 1 && r["chunks_resent"] >= 1
	})

	// A new generation on the holder; then a request for the old one.
	g := a.repairCounts()["generation"]
	if err := os.WriteFile(a.blkid, []byte(shelf(1, 301)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := a.client("refresh"); code != 0 {
		t.Fatalf("refresh on holder: %s", errs)
	}
	eventually(t, 20*time.Second, "holder announces a new generation", func() bool { return a.repairCounts()["generation"] > g })
	before := a.repairCounts()["requests_stale"]
	stale := fmt.Sprintf(`{"v":2,"kind":"request","node":"probe","instance":"00000000000000ab","seq":1,"to":"holder","gen":%d}`, int(g))
	n.sendRaw(wire.EncodeFrame([]byte(stale), nil))
	eventually(t, 10*time.Second, "the stale request counted", func() bool { return a.repairCounts()["requests_stale"] > before })
	eventually(t, 20*time.Second, "late lists the holder's new generation", func() bool { return countNode(b.list(), "holder") == 301 })
}
