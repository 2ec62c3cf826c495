package test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
	"github.com/diskd-actors/diskd-actors/test/bed"
	"github.com/diskd-actors/diskd-actors/test/loadgen"
)

// One sender impersonating 200 peers of 100 valid disks each floods a
// daemon whose budget is 5,000 disks: the budget holds (refusals counted
// as over_budget), the daemon keeps answering, the peer it already knew
// keeps its disks, and its RSS stays bounded.
func TestBudget_FloodOfValidPeers(t *testing.T) {
	t.Parallel()
	b := bed.New(t, bed.Options{Hosts: 2, Configure: func(_ int, c *config.Config) { c.Limits.MaxDisks = 5000 }})
	a, known := b.Hosts[0], b.Hosts[1]
	budgetPoll(t, 20*time.Second, "a lists the known peer's disks", func() bool { return countOn(t, a, known.Name) == 2 })

	g, err := loadgen.New(loadgen.Config{Group: b.Group, Port: b.Port, Peers: 200, DisksPerPeer: 100,
		Mode: loadgen.Steady, Sockets: 1, Rate: 1500, AnswerRequests: true, MaxDuration: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := g.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer g.Stop()
	var st *messages.Status
	budgetPoll(t, 60*time.Second, "the budget fills and refusals are counted", func() bool {
		st, err = a.Status()
		if err != nil {
			t.Fatal(err) // a client must always get an answer
		}
		return st.Drops[wire.DropOverBudget] > 0 && st.Limits.Disks >= 4900
	})
	if st.Limits.Disks > 5000 || st.Limits.MaxDisks != 5000 {
		t.Errorf("limits: %+v, want at most 5000 disks", st.Limits)
	}
	if n := countOn(t, a, known.Name); n != 2 {
		t.Errorf("the known peer's disks: %d listed, want 2", n)
	}
	rss := rssOf(t, a.PID())
	t.Logf("under the flood: %d of %d disks, %d peers, %d refused over budget, RSS %d MiB",
		st.Limits.Disks, st.Limits.MaxDisks, st.Limits.Peers, st.Drops[wire.DropOverBudget], rss>>20)
	if rss > 300<<20 {
		t.Errorf("RSS %d MiB under the flood, want a bounded few tens", rss>>20)
	}
}

func countOn(t *testing.T, h *bed.Host, node string) int {
	t.Helper()
	ds, err := h.List()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range ds {
		if d.Node == node {
			n++
		}
	}
	return n
}

func rssOf(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// budgetPoll waits for cond, checking every 50ms, failing after timeout.
func budgetPoll(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true within %v", what, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
