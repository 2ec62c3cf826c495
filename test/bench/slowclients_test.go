package bench

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// TestBenchStopSlowClients measures SIGTERM to exit of a daemon with 200
// connected clients that never read: half stream `debug` while a peer's
// 1,000 disks arrive (1,000 events each, far more than a socket and the
// session's queue hold), half send 400 `help` lines whose answers fill
// their sockets. Each round starts the daemon, connects the clients, starts
// the peer, waits until the daemon lists the peer's disks (and, on a build
// with session counters, until every flooder's answer waits), then stops it
// with SIGTERM; the time runs from the signal
// to the process's exit. A round without clients gives the baseline.
// Target: under 1 s.
func TestBenchStopSlowClients(t *testing.T) {
	sc := sizes(t)
	clients, rounds, peerDisks := 200, 5, 1000
	if sc.name == "short" {
		clients, rounds = 20, 1
	}
	b := bed.New(t, bed.Options{Hosts: 2, Mode: mode(t), DeferStart: true, Disks: func(i int) []bed.Disk {
		if i == 1 {
			return bed.Disks(i, peerDisks)
		}
		return bed.Disks(i, 2)
	}})
	h, peer := b.Hosts[0], b.Hosts[1]
	var idle, loaded []time.Duration
	failures, dropped := 0, uint64(0)
	for round := range rounds + 1 {
		n := clients
		if round == 0 {
			n = 0
		}
		d := stopWithSlowClients(t, h, peer, n, peerDisks, &failures, &dropped)
		if round == 0 {
			idle = append(idle, d)
		} else {
			loaded = append(loaded, d)
		}
	}
	s := Summarize(loaded)
	report(t, sc, "stop-slow-clients",
		fmt.Sprintf("mode=%s clients=%d (half debug, half flooding help) peer_disks=%d rounds=%d", mode(t), clients, peerDisks, rounds),
		[]figure{
			{"SIGTERM to exit, no clients", Summarize(idle).String(), ""},
			{"SIGTERM to exit, slow clients", s.String(), verdict("max < 1s", s.Max < time.Second)},
			{"stops that failed (killed, exit status, socket left)", fmt.Sprint(failures), verdict("0", failures == 0)},
			{"debug events dropped before the stops", fmt.Sprint(dropped), ""},
		})
	if failures > 0 || s.Max >= time.Second {
		t.Errorf("stop with %d slow clients: %v, %d failed", clients, s, failures)
	}
}

// stopWithSlowClients runs one round and returns the time from SIGTERM to
// the daemon's exit.
func stopWithSlowClients(t *testing.T, h, peer *bed.Host, n, peerDisks int, failures *int, dropped *uint64) time.Duration {
	t.Helper()
	if err := h.Start(); err != nil {
		t.Fatal(err)
	}
	if err := h.WaitReady(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		c, err := net.DialTimeout("unix", h.Socket, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		send := "debug\n"
		if i >= n/2 {
			send = strings.Repeat("help\n", 400)
		}
		if _, err := io.WriteString(c, send); err != nil {
			t.Fatal(err)
		}
	}
	until(t, "debug clients subscribed", func() bool {
		st, err := h.Status()
		return err == nil && (st.Sessions.QueueEvents == 0 || st.Sessions.Debug >= int64(n/2))
	})
	if n > 0 && st0(t, h).Sessions.QueueEvents == 0 {
		time.Sleep(time.Second) // a build without the counter: give the sessions time to subscribe
	}
	if err := peer.Start(); err != nil {
		t.Fatal(err)
	}
	until(t, "the peer's disks listed", func() bool {
		c, err := h.Dial()
		if err != nil {
			return false
		}
		defer c.Close()
		k, err := bed.ListCount(c)
		return err == nil && k == peerDisks+2
	})
	if n > 0 {
		until(t, "every flooder's answer waiting", func() bool {
			s := st0(t, h).Sessions
			return s.QueueEvents == 0 || s.Writing+int64(s.SlowClients) >= int64(n-n/2)
		})
		*dropped += st0(t, h).Sessions.EventsDropped
	}
	t0 := time.Now()
	err := h.Stop() // an older build may need the bed's SIGKILL after 10 s
	d := time.Since(t0)
	if err != nil {
		t.Logf("stop: %v", err)
		*failures++
	}
	if err := peer.Stop(); err != nil {
		t.Fatal(err)
	}
	return d
}

func st0(t *testing.T, h *bed.Host) *messages.Status {
	t.Helper()
	st, err := h.Status()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// until polls cond for up to a minute.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within a minute", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
