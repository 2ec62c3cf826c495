package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// TestBenchPartition measures what peers see when a host's link is cut
// (netns mode: its veth goes down; root only) and restored: the time until
// every other host marks it down, and after Heal the time until every
// other host sees it alive again and until the healed host lists every
// disk again, with no action but the link coming back. Each observer is
// asked `peers --json` every 10 ms on its own session. The cut host
// rotates; the next round starts once everything is back. Cut and Heal
// come at a random moment within an announce interval.
//
// No numeric target: a peer is down after peer.timeout of silence since
// the last announcement heard (sent up to announce.interval before the
// cut), judged every peer.timeout/10; "alive" should come with the healed
// host's next announcement, at most one announce.interval later.
func TestBenchPartition(t *testing.T) {
	sc := sizes(t)
	if reason := bed.NetnsUnavailable(); reason != "" {
		t.Skipf("partition needs netns mode: %s", reason)
	}
	b := bed.New(t, bed.Options{Hosts: sc.partHosts, Mode: bed.Netns, Announce: sc.partAnnounce, PeerTimeout: sc.partTimeout})
	converge(t, b, 30*time.Second)
	conns := dialAll(t, b)

	var down, up, relisted []time.Duration
	for round := range sc.partRounds {
		x := b.Hosts[1+round%(len(b.Hosts)-1)]
		// A random phase against the hosts' announce ticks: otherwise each
		// step starts just after a tick (the previous step ended on one) and
		// every round measures the same corner case.
		time.Sleep(rand.N(sc.partAnnounce))
		cut := time.Now()
		if err := x.Cut(); err != nil {
			t.Fatal(err)
		}
		others := slices.Delete(slices.Clone(conns), x.Index, x.Index+1)
		down = append(down, waitState(t, others, x, messages.PeerDown, cut, 3*sc.partTimeout+5*time.Second))
		// The cut-off host must have given up on the others too before it
		// is healed, or the round is not a partition.
		waitState(t, conns[x.Index:x.Index+1], b.Hosts[0], messages.PeerDown, cut, 3*sc.partTimeout+5*time.Second)
		time.Sleep(rand.N(sc.partAnnounce))
		healed := time.Now()
		if err := x.Heal(); err != nil {
			t.Fatal(err)
		}
		up = append(up, waitState(t, others, x, messages.PeerAlive, healed, 10*sc.partAnnounce+5*time.Second))
		for {
			n, err := bed.ListCount(conns[x.Index])
			if err != nil {
				t.Fatal(err)
			}
			if n == b.TotalDisks() {
				relisted = append(relisted, time.Since(healed))
				break
			}
			if time.Since(healed) > 30*time.Second {
				t.Fatalf("round %d: %s lists %d disks 30s after Heal, want %d\n%s", round, x.Name, n, b.TotalDisks(), x.LogTail(10))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	report(t, sc, "partition",
		fmt.Sprintf("mode=netns hosts=%d rounds=%d announce=%v peer.timeout=%v (checked every %v) poll=10ms",
			len(b.Hosts), sc.partRounds, sc.partAnnounce, sc.partTimeout, sc.partTimeout/10),
		[]figure{
			{"cut: every peer marks it down", Summarize(down).String(),
				fmt.Sprintf("expected between peer.timeout - announce and peer.timeout + check + poll: %v..%v", sc.partTimeout-sc.partAnnounce, sc.partTimeout+sc.partTimeout/10+10*time.Millisecond)},
			{"heal: every peer sees it alive", Summarize(up).String(), fmt.Sprintf("expected within announce.interval + poll = %v", sc.partAnnounce+10*time.Millisecond)},
			{"heal: it lists every disk again", Summarize(relisted).String(), ""},
		})
}

// waitState asks every observer `peers --json` every 10 ms until each
// reports x in state want, and returns the time from since until the last
// one did.
func waitState(t *testing.T, observers []*bed.Conn, x *bed.Host, want string, since time.Time, timeout time.Duration) time.Duration {
	t.Helper()
	var (
		mu   sync.Mutex
		last time.Duration
		errs []error
		wg   sync.WaitGroup
	)
	for _, c := range observers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			deadline := since.Add(timeout)
			got, answer := "", ""
			for time.Now().Before(deadline) {
				a, err := c.Do("peers --json")
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
				answer = fmt.Sprintf("%s (%d lines)", a.Status, len(a.Lines))
				var ps []messages.Peer
				if len(a.Lines) == 1 && json.Unmarshal([]byte(a.Lines[0]), &ps) == nil {
					for _, p := range ps {
						if p.Node == x.Name {
							got = p.State
						}
					}
				}
				if got == want {
					mu.Lock()
					last = max(last, time.Since(since))
					mu.Unlock()
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
			mu.Lock()
			errs = append(errs, fmt.Errorf("%s still %q after %v, want %q; last answer %s", x.Name, got, timeout, want, answer))
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("waiting for %s to be %s: %v\n%s", x.Name, want, errors.Join(errs...), x.LogTail(10))
	}
	return last
}
