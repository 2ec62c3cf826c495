package transport

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// fakeLink is an interface state the test controls, seen by the transport
// through withObserver instead of the kernel's.
type fakeLink struct {
	mu sync.Mutex
	l  Link
}

func (f *fakeLink) get() Link {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.l
}

func (f *fakeLink) set(l Link) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.l = l
}

func withObserver(f func() Link) Option { return func(o *options) { o.observe = f } }

// loTransport opens multicast on lo (nothing leaves the host) on a free
// port, with checks only when the test pokes. Received datagrams go to the
// returned channel.
// loLink is lo, up with addrs, as a fake the transport observes; the test
// checks for leaked goroutines at its end.
func loLink(t *testing.T, addrs ...netip.Addr) (*fakeLink, *net.Interface) {
	t.Helper()
	t.Cleanup(func() { goleak.VerifyNone(t) })
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		t.Skipf("no lo: %v", err)
	}
	return &fakeLink{l: Link{Index: lo.Index, Up: true, Addrs: addrs}}, lo
}

func loTransport(t *testing.T, fl *fakeLink) (*multicastTransport, *Health, <-chan datagram) {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := c.LocalAddr().(*net.UDPAddr).Port
	c.Close()
	h := NewHealth()
	tr, err := OpenMulticast("239.255.71.9", port, "lo", 0, WithHealth(h), WithCheckInterval(time.Hour),
		WithoutNetlink(), withObserver(fl.get))
	if err != nil {
		t.Fatalf("open multicast on lo: %v", err)
	}
	in := make(chan datagram, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 2048)
		for {
			n, src, _, err := tr.Receive(buf)
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if err == nil {
				in <- datagram{append([]byte(nil), buf[:n]...), src}
			}
		}
	}()
	t.Cleanup(func() {
		tr.Close()
		<-done
	})
	return tr.(*multicastTransport), h, in
}

// roundTrip sends payload and waits for it to come back, returning its
// source address.
func roundTrip(t *testing.T, tr Transport, in <-chan datagram, payload string) string {
	t.Helper()
	if err := tr.Send([]byte(payload)); err != nil {
		t.Fatalf("send %q: %v", payload, err)
	}
	deadline := time.After(5 * time.Second)
	for {
		select {
		case d := <-in:
			if bytes.Equal(d.b, []byte(payload)) {
				host, _, _ := strings.Cut(d.src, ":")
				return host
			}
		case <-deadline:
			t.Fatalf("datagram %q not received", payload)
		}
	}
}

// checkNow asks for a check and waits until it has run.
func checkNow(t *testing.T, tr *multicastTransport, h *Health) Report {
	t.Helper()
	before := h.Report().Checks
	tr.poke()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if r := h.Report(); r.Checks > before {
			return r
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("no check ran")
	return Report{}
}

func TestMulticast_RebindsAndRejoins(t *testing.T) {
	a1, a2 := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2")
	fl, lo := loLink(t, a1)
	tr, h, in := loTransport(t, fl)

	if got := roundTrip(t, tr, in, "first"); got != "127.0.0.1" {
		t.Fatalf("source %s, want 127.0.0.1", got)
	}
	if r := checkNow(t, tr, h); r.Rejoins != 0 || r.Rebinds != 0 || !r.LinkUp || r.Address != "127.0.0.1" {
		t.Fatalf("unchanged link: report %+v, want no fix, link up, address 127.0.0.1", r)
	}

	// Renumbered: 127.0.0.2 is as local as 127.0.0.1 on lo.
	fl.set(Link{Index: lo.Index, Up: true, Addrs: []netip.Addr{a2}})
	r := checkNow(t, tr, h)
	if r.Rejoins != 1 || r.Rebinds != 1 || r.Address != "127.0.0.2" || r.LastFix != "address changed" {
		t.Fatalf("after renumbering: report %+v, want 1 rejoin, 1 rebind to 127.0.0.2", r)
	}
	if got := roundTrip(t, tr, in, "renumbered"); got != "127.0.0.2" {
		t.Fatalf("source after rebind %s, want 127.0.0.2", got)
	}

	// A flap: nothing while down, a rejoin (no rebind) when back.
	fl.set(Link{Index: lo.Index, Addrs: []netip.Addr{a2}})
	if r := checkNow(t, tr, h); r.LinkUp || r.Rejoins != 1 {
		t.Fatalf("link down: report %+v, want link down and no new rejoin", r)
	}
	fl.set(Link{Index: lo.Index, Up: true, Addrs: []netip.Addr{a2}})
	if r := checkNow(t, tr, h); !r.LinkUp || r.Rejoins != 2 || r.Rebinds != 1 || r.LastFix != "link up" {
		t.Fatalf("link back: report %+v, want link up, 2 rejoins, 1 rebind", r)
	}
	if got := roundTrip(t, tr, in, "after the flap"); got != "127.0.0.2" {
		t.Fatalf("source after the flap %s, want 127.0.0.2", got)
	}
}

// A fix that fails is counted and retried at the next check; the old
// sockets keep working meanwhile.
func TestMulticast_FailedFixIsRetried(t *testing.T) {
	a1 := netip.MustParseAddr("127.0.0.1")
	fl, lo := loLink(t, a1)
	tr, h, in := loTransport(t, fl)

	// 198.18.255.254 is not local: binding to it fails.
	fl.set(Link{Index: lo.Index, Up: true, Addrs: []netip.Addr{netip.MustParseAddr("198.18.255.254")}})
	for want := uint64(1); want <= 2; want++ {
		if r := checkNow(t, tr, h); r.FixErrors != want || r.Rebinds != 0 || r.FixError == "" {
			t.Fatalf("check %d: report %+v, want %d fix errors and no rebind", want, r, want)
		}
	}
	if got := roundTrip(t, tr, in, "old socket"); got != "127.0.0.1" {
		t.Fatalf("source %s, want 127.0.0.1 (the old socket)", got)
	}
	fl.set(Link{Index: lo.Index, Up: true, Addrs: []netip.Addr{a1}})
	if r := checkNow(t, tr, h); r.FixErrors != 2 || r.Rebinds != 0 || r.Rejoins != 0 {
		t.Fatalf("address back: report %+v, want nothing more to do", r)
	}
}

func TestMulticast_SendErrorsInReport(t *testing.T) {
	fl, _ := loLink(t, netip.MustParseAddr("127.0.0.1"))
	tr, h, in := loTransport(t, fl)

	tooBig := make([]byte, 70000) // over the largest UDP payload: EMSGSIZE
	for want := uint64(1); want <= 3; want++ {
		if err := tr.Send(tooBig); err == nil {
			t.Fatal("a 70000-byte datagram was sent")
		}
		if r := h.Report(); r.SendErrors != want || r.ConsecutiveSendErrors != want || r.LastSendError == "" || r.LastSendErrorAt.IsZero() {
			t.Fatalf("after %d failed sends: report %+v", want, r)
		}
	}
	roundTrip(t, tr, in, "fine")
	if r := h.Report(); r.SendErrors != 3 || r.ConsecutiveSendErrors != 0 || r.LastSendError == "" {
		t.Fatalf("after a good send: report %+v, want 3 errors, 0 consecutive, the last error kept", r)
	}
	if r := tr.Report(); r.SendErrors != 3 {
		t.Fatalf("transport's Report: %+v, want the health's", r)
	}
}

// Without injection the transport watches lo itself, through netlink when
// it can; Close ends every goroutine it started.
func TestMulticast_WatchesTheRealInterface(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := c.LocalAddr().(*net.UDPAddr).Port
	c.Close()
	h := NewHealth()
	tr, err := OpenMulticast("239.255.71.9", port, "lo", 0, WithHealth(h), WithCheckInterval(10*time.Millisecond))
	if err != nil {
		t.Fatalf("open multicast on lo: %v", err)
	}
	defer tr.Close()
	deadline := time.Now().Add(5 * time.Second)
	for h.Report().Checks < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	r := h.Report()
	if r.Checks < 2 || !r.LinkUp || r.Rejoins != 0 || r.Rebinds != 0 || r.Interface != "lo" || r.Address != "127.0.0.1" {
		t.Fatalf("report %+v, want checks, lo up at 127.0.0.1, nothing to fix", r)
	}
	if r.Watch != "netlink+poll" && r.Watch != "poll" {
		t.Fatalf("watch %q", r.Watch)
	}
}

func TestOpenMulticast_Refuses(t *testing.T) {
	if _, err := OpenMulticast("10.0.0.1", 9, "lo", 0); err == nil {
		t.Error("a unicast group was accepted")
	}
	if _, err := OpenMulticast("239.255.71.9", 9, "no-such-if0", 0); err == nil {
		t.Error("a missing interface was accepted")
	}
}
