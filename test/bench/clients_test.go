package bench

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/test/bed"
)

// TestBenchClients measures many clients at once: 1,000 goroutines, held
// at a barrier, each open a new session on one daemon (whose view holds
// 200 disks: 100 of its own, 100 of a peer's), read the greeting, ask
// `where UUID` of a disk of the peer, read the answer and close. A client's
// latency runs from its dial to the answer's status line; the `where`
// alone from sending the line. Repeated for several rounds, a pause
// between them. An error is a failed dial, a refusal (busy), a timeout
// (10 s) or a wrong answer. No numeric target: errors must be 0, and the
// p99 is reported.
func TestBenchClients(t *testing.T) {
	sc := sizes(t)
	b := bed.New(t, bed.Options{Hosts: 2, Mode: mode(t), Announce: time.Second, PeerTimeout: 5 * time.Second,
		Disks: func(i int) []bed.Disk { return bed.Disks(i, sc.clientDisks) }})
	converge(t, b, 30*time.Second)
	target, peer := b.Hosts[0], b.Hosts[1]

	type result struct {
		total, where time.Duration
		err          error
	}
	var total, where []time.Duration
	errCount := map[string]int{}
	var firstErr error
	for round := range sc.clientRounds {
		results := make([]result, sc.clients)
		start := make(chan struct{})
		var ready, done sync.WaitGroup
		for i := range results {
			ready.Add(1)
			done.Add(1)
			go func() {
				defer done.Done()
				ready.Done()
				<-start
				t0 := time.Now()
				c, err := bed.Dial(target.Socket, 10*time.Second)
				if err != nil {
					results[i].err = fmt.Errorf("dial: %w", err)
					return
				}
				defer c.Close()
				t1 := time.Now()
				a, err := c.Do("where " + bed.UUID(peer.Index, i%sc.clientDisks))
				now := time.Now()
				switch {
				case err != nil:
					results[i].err = fmt.Errorf("where: %w", err)
				case a.Summary() != "on "+peer.Name:
					results[i].err = fmt.Errorf("where: got %q, want %q", a.Status, ".ok on "+peer.Name)
				default:
					results[i] = result{total: now.Sub(t0), where: now.Sub(t1)}
				}
			}()
		}
		ready.Wait()
		close(start)
		done.Wait()
		for _, r := range results {
			if r.err != nil {
				errCount[fmt.Sprintf("%.40s", r.err.Error())]++
				if firstErr == nil {
					firstErr = r.err
				}
				continue
			}
			total, where = append(total, r.total), append(where, r.where)
		}
		if round < sc.clientRounds-1 {
			time.Sleep(500 * time.Millisecond) // the sessions of this round wind down
		}
	}
	nErr := 0
	for _, n := range errCount {
		nErr += n
	}
	st, s := Summarize(total), Summarize(where)
	report(t, sc, "clients",
		fmt.Sprintf("mode=%s clients=%d at once, rounds=%d, disks in view=%d", mode(t), sc.clients, sc.clientRounds, 2*sc.clientDisks),
		[]figure{
			{"dial + greeting + where", st.String(), ""},
			{"  where alone", s.String(), ""},
			{"errors", fmt.Sprintf("%d of %d %v", nErr, sc.clients*sc.clientRounds, errCount), verdict("0 errors", nErr == 0)},
		})
	if nErr > 0 {
		t.Errorf("%d clients failed; the first: %v", nErr, firstErr)
	}
}
