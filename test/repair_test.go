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

// A daemon that starts after a peer sent its inventory gets it again: the
// peer offers its chunks to the newcomer, or the newcomer asks for them
// (its inventory does not change, so nothing else could bring them). A
// request names the chunks it wants and gets only those; a request for an
// older generation is ignored and counted as stale. Real daemons on lo.
func TestRepair_LateJoinerRequestsAndStale(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	a := n.start("holder", shelf(1, 300))
	var chunks float64
	eventually(t, 20*time.Second, "holder announced its 300 disks", func() bool {
		ann, _ := a.status()["announce"].(map[string]any)
		disks, _ := ann["disks"].(float64)
		chunks, _ = ann["chunks"].(float64)
		return disks == 300
	})
	b := n.start("late", shelf(2, 1))
	eventually(t, 30*time.Second, "late lists the holder's 300 disks", func() bool { return countNode(b.list(), "holder") == 300 })
	// The engine's counters reach status every half second.
	eventually(t, 10*time.Second, "holder sent its chunks again", func() bool { return a.sentChunks() >= 2*chunks })

	// A request naming chunks 0 and 2 of the current generation gets
	// those two. (Sent again until answered: one that comes within 200 ms
	// of the holder's offer is a duplicate.)
	g := a.repairCounts()["generation"]
	before := a.repairCounts()
	ask := `{"v":2,"kind":"request","node":"probe","instance":"00000000000000ab","seq":%d,"to":"holder","gen":%d,"missing":[0,2]}`
	seq := 0
	eventually(t, 10*time.Second, "the request answered", func() bool {
		if r := a.repairCounts(); r["requests_answered"] > before["requests_answered"] {
			answered, resent := r["requests_answered"]-before["requests_answered"], r["chunks_resent"]-before["chunks_resent"]
			if resent != 2*answered {
				t.Errorf("%v requests for 2 chunks answered with %v chunks", answered, resent)
			}
			return true
		}
		seq++
		n.sendRaw(wire.EncodeFrame([]byte(fmt.Sprintf(ask, seq, int(g))), nil))
		return false
	})

	// A new generation on the holder; then a request for the old one.
	if err := os.WriteFile(a.blkid, []byte(shelf(1, 301)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := a.client("refresh"); code != 0 {
		t.Fatalf("refresh on holder: %s", errs)
	}
	eventually(t, 20*time.Second, "holder announces a new generation", func() bool { return a.repairCounts()["generation"] > g })
	n.sendRaw(wire.EncodeFrame([]byte(fmt.Sprintf(ask, seq+1, int(g))), nil))
	eventually(t, 10*time.Second, "the stale request counted", func() bool {
		return a.repairCounts()["requests_stale"] > before["requests_stale"]
	})
	eventually(t, 20*time.Second, "late lists the holder's new generation", func() bool { return countNode(b.list(), "holder") == 301 })
}

// sentChunks is the number of chunks the daemon sent (status --json).
func (d *daemon) sentChunks() float64 {
	d.t.Helper()
	var st struct {
		Gossip struct {
			Repair struct {
				Sent map[string]float64 `json:"sent_by_kind"`
			} `json:"repair"`
		} `json:"gossip"`
	}
	if err := d.host.QueryJSON("status", &st); err != nil {
		d.t.Fatalf("status on %s: %v", d.name, err)
	}
	return st.Gossip.Repair.Sent["chunk"]
}
