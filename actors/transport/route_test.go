package transport

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// Without a configured interface the transport watches the interface the
// kernel routes the group through. routeLink is checked in a network
// namespace of the test's own with one veth pair: it only asks the
// kernel for a route (a UDP connect sends nothing), joins nothing.
func TestRouteLink_FollowsTheRoute(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (a network namespace); run as root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs the ip command (iproute2)")
	}
	ns := fmt.Sprintf("dtr-%d-route", os.Getpid())
	ipn := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", append([]string{"-n", ns}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("ip -n %s %s: %v: %s", ns, strings.Join(args, " "), err, out)
		}
	}
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Skipf("cannot create a network namespace: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	ipn("link", "add", "dum0", "type", "veth", "peer", "name", "dum1") // both ends in the namespace
	ipn("addr", "add", "198.18.9.1/15", "dev", "dum0")
	ipn("link", "set", "dum1", "up")
	ipn("link", "set", "dum0", "up")
	ipn("route", "add", "224.0.0.0/4", "dev", "dum0")

	group := &net.UDPAddr{IP: net.IPv4(239, 255, 71, 9), Port: 9}
	// Each look runs on a thread moved into the namespace, which is
	// never handed back to other goroutines (it ends with its goroutine).
	look := func() (Link, error) {
		type result struct {
			l   Link
			err error
		}
		ch := make(chan result, 1)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
			f, err := os.Open("/run/netns/" + ns)
			if err != nil {
				ch <- result{err: err}
				return
			}
			defer f.Close()
			if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
				ch <- result{err: err}
				return
			}
			if _, err := net.InterfaceByName("dum0"); err != nil {
				ch <- result{err: fmt.Errorf("not in the namespace: %w", err)}
				return
			}
			ch <- result{l: routeLink(group)}
		}()
		r := <-ch
		return r.l, r.err
	}
	l, err := look()
	if err != nil {
		t.Fatal(err)
	}
	if !l.Usable() || len(l.Addrs) != 1 || l.Addrs[0] != netip.MustParseAddr("198.18.9.1") {
		t.Fatalf("routeLink = %+v, want dum0 up at 198.18.9.1", l)
	}
	index := l.Index

	ipn("addr", "del", "198.18.9.1/15", "dev", "dum0")
	ipn("addr", "add", "198.18.9.2/15", "dev", "dum0")
	ipn("route", "replace", "224.0.0.0/4", "dev", "dum0")
	if l, err = look(); err != nil {
		t.Fatal(err)
	}
	if l.Index != index || !l.Usable() || l.Addrs[0] != netip.MustParseAddr("198.18.9.2") {
		t.Fatalf("after renumbering: routeLink = %+v, want dum0 (index %d) at 198.18.9.2", l, index)
	}
	if p := Decide(Bound{Index: index, Addr: netip.MustParseAddr("198.18.9.1")}, Link{Index: index, Up: true,
		Addrs: []netip.Addr{netip.MustParseAddr("198.18.9.1")}}, l); !p.Rejoin {
		t.Fatalf("Decide after renumbering: %+v, want a rejoin", p)
	}

	ipn("route", "del", "224.0.0.0/4", "dev", "dum0")
	if l, err = look(); err != nil {
		t.Fatal(err)
	}
	if l.Usable() {
		t.Fatalf("without a route to the group: routeLink = %+v, want nothing usable", l)
	}
}
