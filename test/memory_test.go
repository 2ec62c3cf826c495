package test

import (
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/test/bed"
)

// gcGoal matches the heap goal of a GODEBUG=gctrace=1 line: "…, 4 MB goal, …".
var gcGoal = regexp.MustCompile(`(?m)^gc \d+ .* (\d+) MB goal`)

// An idle daemon paces its collector down (cmd/diskd-actors/memory.go):
// with nothing to do it collects at a heap goal of about 1 MB, below Go's
// 4 MB minimum at the default GOGC, as the runtime's own trace shows. With
// GOGC in its environment the pacer stays off and the goal is Go's.
func TestMemory_idleDaemonPacesTheCollector(t *testing.T) {
	b := bed.New(t, bed.Options{Hosts: bed.NoHosts, Bin: bin, Announce: defaultAnnounce, PeerTimeout: defaultPeerTimeout})
	paced, err := b.AddHost(bed.HostOptions{Env: []string{"GODEBUG=gctrace=1"}})
	if err != nil {
		t.Fatal(err)
	}
	fixed, err := b.AddHost(bed.HostOptions{Env: []string{"GODEBUG=gctrace=1", "GOGC=100"}})
	if err != nil {
		t.Fatal(err)
	}
	smallest := func(h *bed.Host) (goal int, cycles int) {
		goal = -1
		for _, m := range gcGoal.FindAllStringSubmatch(h.Log(), -1) {
			g, _ := strconv.Atoi(m[1])
			if goal < 0 || g < goal {
				goal = g
			}
			cycles++
		}
		return goal, cycles
	}
	bed.WaitFor(t, 90*time.Second, paced.Name+" collects at a heap goal of at most 2 MB", func() (bool, error) {
		g, _ := smallest(paced)
		return g >= 0 && g <= 2, nil
	})
	// The other daemon must collect too, never below Go's 4 MB. An idle
	// daemon makes little garbage (tens of KB a minute), so status
	// queries make some until it does.
	bed.WaitFor(t, 90*time.Second, fixed.Name+" (GOGC=100) collects at least once", func() (bool, error) {
		if _, n := smallest(fixed); n > 0 {
			return true, nil
		}
		_, err := fixed.Query("status --json")
		return false, err
	})
	if g, _ := smallest(fixed); g < 4 {
		t.Errorf("%s with GOGC=100 collected at a %d MB goal, want Go's minimum of 4 MB (the pacer must stay off)\n%s",
			fixed.Name, g, fixed.LogTail(5))
	}
}
