package bench

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// TestBenchLiveness measures how soon peers notice that a daemon ended:
// after SIGTERM (it says goodbye) and after kill -9 (silence only), the
// time until every other host marks it down, and after a restart the time
// until every other host sees it alive again. Each observer is asked
// `peers --json` every 10 ms on its own session. The host rotates; each
// end comes at a random moment within an announce interval.
//
// These are the figures test/liveness_test.go used to assert: the tests
// now check why a peer went down (goodbye or silence, and for how long by
// the daemon's clock), the benchmark how long it took. No numeric target:
// a goodbye should be seen at once (one datagram); a kill after
// peer.timeout of silence since the last announcement heard (sent up to
// announce.interval before), judged every peer.timeout/10.
func TestBenchLiveness(t *testing.T) {
	sc := sizes(t)
	b := bed.New(t, bed.Options{Hosts: sc.liveHosts, Mode: mode(t), Announce: sc.liveAnnounce, PeerTimeout: sc.liveTimeout})
	converge(t, b, 30*time.Second)
	conns := dialAll(t, b)

	var goodbye, killed, back []time.Duration
	for round := range sc.liveRounds {
		x := b.Hosts[1+round%(len(b.Hosts)-1)]
		others := slices.Delete(slices.Clone(conns), x.Index, x.Index+1)
		for _, end := range []string{"goodbye", "kill"} {
			time.Sleep(rand.N(sc.liveAnnounce)) // a random phase against the announce ticks
			at := time.Now()
			var err error
			if end == "goodbye" {
				err = x.Signal(syscall.SIGTERM)
			} else {
				err = x.KillHard()
			}
			if err != nil {
				t.Fatal(err)
			}
			took := waitState(t, others, x, messages.PeerDown, at, 3*sc.liveTimeout+5*time.Second)
			if end == "goodbye" {
				goodbye = append(goodbye, took)
				if err := x.Wait(15 * time.Second); err != nil {
					t.Fatalf("%s after SIGTERM: %v", x.Name, err)
				}
			} else {
				killed = append(killed, took)
			}
			if err := x.Restart(); err != nil {
				t.Fatal(err)
			}
			at = time.Now()
			back = append(back, waitState(t, others, x, messages.PeerAlive, at, 10*sc.liveAnnounce+5*time.Second))
			// The next measurement needs x to know the others again (a
			// peer it never heard of cannot go down).
			converge(t, b, 30*time.Second)
			// Its own session of x ended with the process: open a new one.
			c, err := x.Dial()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			conns[x.Index] = c
		}
	}
	report(t, sc, "liveness",
		fmt.Sprintf("mode=%s hosts=%d rounds=%d announce=%v peer.timeout=%v (checked every %v) poll=10ms",
			mode(t), len(b.Hosts), sc.liveRounds, sc.liveAnnounce, sc.liveTimeout, sc.liveTimeout/10),
		[]figure{
			{"SIGTERM: every peer marks it down", Summarize(goodbye).String(), "expected at once: the goodbye datagram"},
			{"kill -9: every peer marks it down", Summarize(killed).String(),
				fmt.Sprintf("expected between peer.timeout - announce and peer.timeout + check + poll: %v..%v",
					sc.liveTimeout-sc.liveAnnounce, sc.liveTimeout+sc.liveTimeout/10+10*time.Millisecond)},
			{"restart: every peer sees it alive", Summarize(back).String(), ""},
		})
}
