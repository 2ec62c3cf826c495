package render

import (
	"strings"
	"testing"

	"github.com/diskd-actors/diskd-actors/messages"
)

// The repair line shows once anything was sent or asked, with every
// counter of status --json's gossip.repair.
func TestRenderRepair(t *testing.T) {
	if got := renderRepair(messages.RepairStatus{}); got != "" {
		t.Errorf("nothing happened: got %q, want no line", got)
	}
	got := renderRepair(messages.RepairStatus{Scheduled: 1, Sent: 2, Suppressed: 3, Postponed: 4, Answered: 5, Resent: 6,
		Duplicate: 7, Stale: 8, DiscoverySkipped: 9, SentByKind: map[string]uint64{"announce": 10, "chunk": 11}})
	want := "requests: 1 scheduled, 2 sent, 3 suppressed, 4 postponed; answered 5 (6 chunks resent), 7 duplicate, " +
		"8 stale ignored; 9 newcomers not answered (already listening); sent announce=10 chunk=11"
	if got != want {
		t.Errorf("got\n\t%s\nwant\n\t%s", got, want)
	}
	if !strings.HasPrefix(renderRepair(messages.RepairStatus{Stale: 1}), "requests: 0 scheduled") {
		t.Errorf("a stale request alone: no line")
	}
}
