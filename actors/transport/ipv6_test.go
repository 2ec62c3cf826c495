package transport

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/sys/unix"
)

// IPv6 multicast is not delivered on lo, so the IPv6 transport is tested
// between the two ends of a veth pair inside a network namespace of the
// test's own (root only): one transport on each end, each joined on its
// own end. Nothing leaves the namespace.
func TestMulticast_IPv6BetweenVethEnds(t *testing.T) {
	ns := ipv6Namespace(t)
	for _, tc := range []struct {
		name, group string
		src         string // the source B sees: A's address of the group's scope
	}{
		{"link-local ff02", "ff02::db:71", "fe80::a%dumb"},
		{"site-local ff05", "ff05::db:71", "fd00:198:18::a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer goleak.VerifyNone(t)
			var a, b Transport
			inNamespace(t, ns, func() error {
				var err error
				// A's sending socket binds to fe80::a%duma: the zone is the
				// configured interface. B's group carries its interface as
				// a zone.
				if a, err = OpenMulticast(tc.group, 32011, "duma", 1, WithoutNetlink(), WithCheckInterval(time.Hour)); err != nil {
					return err
				}
				b, err = OpenMulticast(tc.group+"%dumb", 32011, "", 1, WithoutNetlink(), WithCheckInterval(time.Hour))
				return err
			})
			defer a.Close()
			defer b.Close()
			if r := a.(Reporter).Report(); !strings.HasPrefix(r.Address, strings.Split(tc.src, "%")[0]) {
				t.Errorf("A's sending address %q, want %s (the scope's)", r.Address, tc.src)
			}
			got := make(chan string, 16)
			wrong := make(chan struct{}, 16)
			go func() {
				buf := make([]byte, 2048)
				for {
					n, src, _, err := b.Receive(buf)
					switch {
					case errors.Is(err, net.ErrClosed):
						close(got)
						return
					case errors.Is(err, ErrWrongDestination):
						wrong <- struct{}{}
					case err == nil:
						got <- string(buf[:n]) + " from " + src
					}
				}
			}()
			want := fmt.Sprintf("hello from [%s]:", tc.src)
			deadline := time.After(10 * time.Second)
			// Sent until heard: the first may go before B's join has
			// reached the kernel's filters; none is lost once it has.
			tk := time.NewTicker(50 * time.Millisecond)
			defer tk.Stop()
			for heard := false; !heard; {
				select {
				case <-tk.C:
					if err := a.Send([]byte("hello")); err != nil {
						t.Fatalf("send: %v", err)
					}
				case g := <-got:
					if !strings.HasPrefix(g, want) {
						t.Fatalf("B received %q, want %q…", g, want)
					}
					heard = true
				case <-deadline:
					t.Fatalf("B heard nothing from A on %s", tc.group)
				}
			}
			if tc.name == "link-local ff02" {
				// A's own copy, looped back on duma, reaches B's socket
				// (the group is the same address on both ends) and is
				// refused for its arrival interface.
				select {
				case <-wrong:
				case <-time.After(10 * time.Second):
					t.Error("A's looped-back copy on duma was not refused by B")
				}
			}
		})
	}
}

// IPV6_MULTICAST_ALL=0 keeps a socket to the groups it joined itself. A
// socket on the port joined to another group gets nothing of ours, while a
// control socket left at the kernel's default (1) gets it: the option makes
// the difference. The probe is followed by a marker to the other group,
// from the same interface: the strict socket's first datagram must be the
// marker.
func TestMulticast_IPv6OnlyJoinedGroups(t *testing.T) {
	ns := ipv6Namespace(t)
	t.Cleanup(func() { goleak.VerifyNone(t) }) // after the closes below (cleanups run last first)
	fam := familyOf(netip.MustParseAddr("ff05::db:81"))
	var a, marker Transport
	var strict, control net.PacketConn
	inNamespace(t, ns, func() error {
		var err error
		if a, err = OpenMulticast("ff05::db:81", 32012, "duma", 1, WithoutNetlink(), WithCheckInterval(time.Hour)); err != nil {
			return err
		}
		t.Cleanup(func() { a.Close() })
		if marker, err = OpenMulticast("ff05::db:82", 32012, "duma", 1, WithoutNetlink(), WithCheckInterval(time.Hour)); err != nil {
			return err
		}
		t.Cleanup(func() { marker.Close() })
		dumb, err := net.InterfaceByName("dumb")
		if err != nil {
			return err
		}
		other := &net.UDPAddr{IP: net.ParseIP("ff05::db:82")}
		if strict, err = listenShared(fam, 32012, DefaultReceiveBuffer); err != nil { // IPV6_MULTICAST_ALL=0
			return err
		}
		t.Cleanup(func() { strict.Close() })
		if err := fam.wrap(strict).JoinGroup(dumb, other); err != nil {
			return err
		}
		lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
			var serr error
			if err := c.Control(func(fd uintptr) {
				serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
			}); err != nil {
				return err
			}
			return serr
		}}
		if control, err = lc.ListenPacket(context.Background(), "udp6", "[::]:32012"); err != nil {
			return err
		}
		t.Cleanup(func() { control.Close() })
		return fam.wrap(control).JoinGroup(dumb, other)
	})
	read := func(c net.PacketConn) (string, error) {
		buf := make([]byte, 64)
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, _, err := c.ReadFrom(buf)
		return string(buf[:n]), err
	}
	if err := a.Send([]byte("probe")); err != nil {
		t.Fatal(err)
	}
	if err := marker.Send([]byte("marker")); err != nil {
		t.Fatal(err)
	}
	// A socket joined to another group with the default option hears us:
	// without that, the test would prove nothing.
	if got, err := read(control); err != nil || got != "probe" {
		t.Fatalf("control socket (IPV6_MULTICAST_ALL=1): %q, %v; want the probe first", got, err)
	}
	if got, err := read(strict); err != nil || got != "marker" {
		t.Errorf("socket with IPV6_MULTICAST_ALL=0 joined to the marker's group: %q, %v; want the marker, not the probe", got, err)
	}
}

// ipv6Namespace makes a namespace with a veth pair duma/dumb, DAD off,
// ULAs fd00:198:18::a and ::b, and waits for the link-local addresses.
func ipv6Namespace(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (a network namespace: IPv6 multicast is not delivered on lo); run as root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs the ip command (iproute2)")
	}
	ns := fmt.Sprintf("dtr-%d-ipv6", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Skipf("cannot create a network namespace: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	// /proc/sys/net is the namespace's own inside it (sh, not sysctl,
	// which a fresh machine may lack).
	run("ip", "netns", "exec", ns, "sh", "-c",
		"echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad && echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad")
	run("ip", "-n", ns, "link", "add", "duma", "type", "veth", "peer", "name", "dumb")
	run("ip", "-n", ns, "addr", "add", "fd00:198:18::a/64", "dev", "duma", "nodad")
	run("ip", "-n", ns, "addr", "add", "fd00:198:18::b/64", "dev", "dumb", "nodad")
	run("ip", "-n", ns, "link", "set", "duma", "up")
	run("ip", "-n", ns, "link", "set", "dumb", "up")
	// The kernel makes the link-local addresses when the link comes up;
	// eui64 off: fe80::a and fe80::b, so that the test knows them.
	run("ip", "-n", ns, "addr", "add", "fe80::a/64", "dev", "duma", "nodad")
	run("ip", "-n", ns, "addr", "add", "fe80::b/64", "dev", "dumb", "nodad")
	return ns
}

// inNamespace runs f on a thread moved into ns: the sockets it opens
// belong to ns for good. The thread is never handed back to other
// goroutines (it ends with its goroutine).
func inNamespace(t *testing.T, ns string, f func() error) {
	t.Helper()
	ch := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked
		h, err := os.Open("/run/netns/" + ns)
		if err != nil {
			ch <- err
			return
		}
		defer h.Close()
		if err := unix.Setns(int(h.Fd()), unix.CLONE_NEWNET); err != nil {
			ch <- err
			return
		}
		ch <- f()
	}()
	if err := <-ch; err != nil {
		t.Fatal(err)
	}
}
