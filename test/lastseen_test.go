package test

import (
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// A peer that ran for a while, its inventory unchanged since it started,
// then stopped: where says its disks were last seen when it was last
// heard, not when its inventory last changed (its first announce).
func TestLastSeen_IsLastHeard(t *testing.T) {
	t.Parallel()
	b := bed.New(t, bed.Options{Hosts: 2, Announce: 250 * time.Millisecond, PeerTimeout: time.Second})
	a, p := b.Hosts[0], b.Hosts[1]
	uuid := bed.UUID(1, 0)
	lastSeenPoll(t, 20*time.Second, "a hears p for 3s", func() bool {
		for _, peer := range lastSeenPeers(t, a) {
			if peer.Node == p.Name && peer.LastSeen.Sub(peer.FirstSeen) >= 3*time.Second {
				return true
			}
		}
		return false
	})
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	var first, last time.Time
	lastSeenPoll(t, 10*time.Second, "a marks p down", func() bool {
		for _, peer := range lastSeenPeers(t, a) {
			if peer.Node == p.Name && peer.State == messages.PeerDown {
				first, last = peer.FirstSeen, peer.LastSeen
				return true
			}
		}
		return false
	})
	var w messages.WhereResult
	if err := a.QueryJSON("where "+uuid, &w); err != nil {
		t.Fatal(err)
	}
	if len(w.Matches) != 0 || len(w.LastSeen) != 1 || w.LastSeen[0].Node != p.Name {
		t.Fatalf("where %s: got %+v, want last seen on %s", uuid, w, p.Name)
	}
	if at := w.LastSeen[0].At; !at.Equal(last) || at.Sub(first) < 3*time.Second {
		t.Errorf("last seen at %v: want p's last-heard time %v, not its first announce %v", at, last, first)
	}
	ans, err := a.Query("where " + uuid)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(ans.Lines, "\n")
	if !strings.Contains(text, "last seen on "+p.Name) {
		t.Errorf("where %s: %q, want 'last seen on %s'", uuid, text, p.Name)
	}
}

func lastSeenPeers(t *testing.T, h *bed.Host) []messages.Peer {
	t.Helper()
	ps, err := h.Peers()
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// lastSeenPoll waits for cond, checking every 20ms, failing after timeout.
func lastSeenPoll(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true within %v", what, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
