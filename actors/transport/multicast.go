package transport

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// Transport carries datagrams between daemons. MulticastServer is its only
// user, so that unicast peers or IPv6 can come as other implementations
// without touching Info or the codec.
type Transport interface {
	// Receive blocks until a datagram arrives and copies it into buf; it
	// returns n > len(buf) never: a datagram larger than buf is reported
	// with n == len(buf) and truncated == true.
	Receive(buf []byte) (n int, src string, truncated bool, err error)
	// Send sends one datagram to every peer.
	Send(b []byte) error
	// Close unblocks Receive with net.ErrClosed.
	Close() error
}

// ErrWrongDestination is returned by Receive for a datagram addressed to
// another group that the kernel delivered to our port anyway.
var ErrWrongDestination = errors.New("datagram for another destination")

// multicastTransport is IPv4 or IPv6 multicast on one interface: a
// receiving socket bound to the port (shared by every daemon on the host)
// and joined to the group, and a sending socket bound to the interface's
// address. A watcher (watch.go) re-joins the group and re-opens the
// sending socket when the interface changes under it. The two families
// differ only in their family (family.go).
type multicastTransport struct {
	group  *net.UDPAddr
	fam    family
	ifname string // "" means the system default
	ttl    int
	o      options
	recv   groupConn
	rconn  net.PacketConn
	rx     batchState // ReceiveBatch's, reused (batch.go)
	// arrival is the index of the interface a link-scoped IPv6 group is
	// joined on: datagrams of the group that arrive elsewhere are not
	// ours. Written by the watcher, read by Receive.
	arrival atomic.Int64

	mu    sync.RWMutex // guards send and sconn, swapped by a rebind
	send  groupConn
	sconn net.PacketConn

	// Owned by the watcher goroutine once it runs.
	bound  Bound
	last   Link
	joined int    // index of the interface the group is joined on; 0: unknown
	failed string // the last fix error logged, to log each once

	wake      chan struct{} // a check is wanted now
	done      chan struct{} // closed by Close
	nl        *os.File      // the netlink subscription, nil without
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// OpenMulticast opens multicast on group:port on interface ifname ("" for
// the system default) and starts watching the interface (see Decide). The
// group is IPv4 or IPv6 (see ParseGroup; an IPv6 group may name its
// interface as a zone, ff02::db%eth0); ttl is the hop limit under IPv6.
// It fails when the named interface is missing or has no address of the
// group's family.
func OpenMulticast(group string, port int, ifname string, ttl int, opts ...Option) (Transport, error) {
	g, ifname, err := ParseGroup(group, ifname)
	if err != nil {
		return nil, fmt.Errorf("multicast group %q: %w", group, err)
	}
	gip := net.IP(g.AsSlice())
	o := defaultOptions()
	for _, f := range opts {
		f(&o)
	}
	t := &multicastTransport{group: &net.UDPAddr{IP: gip, Port: port}, fam: familyOf(g), ifname: ifname, ttl: ttl, o: o,
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	if t.o.observe == nil {
		t.o.observe = t.observe
	}
	var ifi *net.Interface
	var src netip.Addr
	if ifname != "" {
		var err error
		if ifi, err = net.InterfaceByName(ifname); err != nil {
			return nil, fmt.Errorf("interface %q: %w", ifname, err)
		}
		if src, err = t.fam.sourceOf(ifi); err != nil {
			return nil, err
		}
		t.arrival.Store(int64(ifi.Index))
	}
	rconn, err := listenShared(t.fam, port, o.rcvbuf)
	if err != nil {
		return nil, err
	}
	t.rconn, t.recv = rconn, t.fam.wrap(rconn)
	if err := t.recv.JoinGroup(ifi, &net.UDPAddr{IP: gip}); err != nil {
		rconn.Close()
		return nil, fmt.Errorf("join %s on %s: %w", g, ifaceName(ifi), err)
	}
	if err := t.recv.wantDestination(); err != nil {
		rconn.Close()
		return nil, fmt.Errorf("control messages: %w", err)
	}
	if t.sconn, t.send, err = openSender(t.fam, src, ifi, ttl); err != nil {
		rconn.Close()
		return nil, err
	}
	t.last = t.o.observe()
	t.bound = Bound{Addr: src}
	if ifi != nil {
		t.bound.Index = ifi.Index
	} else if t.last.Usable() {
		t.bound = Bound{Index: t.last.Index, Addr: t.last.Addrs[0]}
	}
	// The kernel records a membership with the index of the interface it
	// chose; without a configured one, the route's is the best guess.
	t.joined = t.bound.Index
	t.startWatch()
	return t, nil
}

// listenShared opens the receiving socket on the port, which several
// daemons on one host share.
func listenShared(fam family, port, rcvbuf int) (net.PacketConn, error) {
	level, multicastAll := fam.multicastAll()
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			// Several daemons on one host share the port.
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
			if serr == nil {
				// Only the groups this socket joined, not every group
				// joined by any socket on the host.
				serr = unix.SetsockoptInt(int(fd), level, multicastAll, 0)
			}
			if serr == nil {
				// Room for bursts and for the reader's pauses (batch.go).
				serr = setReceiveBuffer(int(fd), rcvbuf)
			}
		})
		if err != nil {
			return err
		}
		return serr
	}}
	addr := netip.AddrPortFrom(fam.any(), uint16(port)).String()
	rconn, err := lc.ListenPacket(context.Background(), fam.network(), addr)
	if err != nil {
		return nil, fmt.Errorf("listen on port %d: %w", port, err)
	}
	return rconn, nil
}

// openSender opens the sending socket bound to src (any address when src
// is not valid) and sending on ifi (the route's choice when nil).
func openSender(fam family, src netip.Addr, ifi *net.Interface, ttl int) (net.PacketConn, groupConn, error) {
	if !src.IsValid() {
		src = fam.any()
	}
	srcAddr := netip.AddrPortFrom(src, 0).String()
	sconn, err := net.ListenPacket(fam.network(), srcAddr)
	if err != nil {
		return nil, nil, fmt.Errorf("sending socket on %s: %w", srcAddr, err)
	}
	send := fam.wrap(sconn)
	fail := func(what string, err error) (net.PacketConn, groupConn, error) {
		sconn.Close()
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	if ifi != nil {
		// Without this the datagram follows the default route.
		if err := send.SetMulticastInterface(ifi); err != nil {
			return fail("set multicast interface "+ifi.Name, err)
		}
	}
	if err := send.setHops(ttl); err != nil {
		return fail("set multicast ttl (hop limit)", err)
	}
	// Other daemons on this host are peers too.
	if err := send.SetMulticastLoopback(true); err != nil {
		return fail("set multicast loopback", err)
	}
	return sconn, send, nil
}

func (t *multicastTransport) Receive(buf []byte) (int, string, bool, error) {
	n, dst, ifindex, src, err := t.recv.read(buf)
	if err != nil {
		return 0, "", false, err
	}
	if u, ok := src.(*net.UDPAddr); ok && t.fam.v6 && u.IP.IsLinkLocalUnicast() && t.ifname != "" &&
		int64(ifindex) == t.arrival.Load() {
		// A link-local source means nothing without its link: named by the
		// configured interface, not by the process's own look-up of the
		// index, which could name another namespace's interface.
		u.Zone = t.ifname
	}
	s := ""
	if src != nil {
		s = src.String() // an IPv6 link-local source with its zone: [fe80::1%eth0]:32003
	}
	if dst != nil && !dst.Equal(t.group.IP) {
		return n, s, false, ErrWrongDestination
	}
	if t.fam.linkScope && ifindex != 0 && int64(ifindex) != t.arrival.Load() {
		return n, s, false, ErrWrongDestination
	}
	return n, s, n == len(buf), nil
}

// Send sends b to the group. A failure is recorded in the report and asks
// for an interface check at once: a renumbered or vanished interface is
// the usual cause.
func (t *multicastTransport) Send(b []byte) error {
	t.mu.RLock()
	err := t.send.write(b, t.group)
	t.mu.RUnlock()
	n, ended := t.o.health.sendResult(err, t.o.now())
	switch {
	case n == 1:
		t.o.log.Warn("multicast send failing", "interface", ifaceLabel(t.ifname), "error", err)
		t.poke()
	case n > 1:
		t.poke()
	case ended > 0:
		t.o.log.Info("multicast send working again", "interface", ifaceLabel(t.ifname), "failed_sends", ended)
	}
	return err
}

// Report returns the transport's health (Reporter).
func (t *multicastTransport) Report() Report { return t.o.health.Report() }

func (t *multicastTransport) Close() error {
	t.closeOnce.Do(func() {
		close(t.done)
		if t.nl != nil {
			t.nl.Close()
		}
		t.wg.Wait()
		err := t.rconn.Close()
		t.mu.Lock()
		err = errors.Join(err, t.sconn.Close())
		t.mu.Unlock()
		t.closeErr = err
	})
	return t.closeErr
}

// sourceOf is the address to send from on ifi: its first address of the
// family (family.addrs orders IPv6 ones by the group's scope).
func (f family) sourceOf(ifi *net.Interface) (netip.Addr, error) {
	as, err := ifi.Addrs()
	if err != nil {
		return netip.Addr{}, fmt.Errorf("interface %s: %w", ifi.Name, err)
	}
	if addrs := f.addrs(ifi, as); len(addrs) > 0 {
		return addrs[0], nil
	}
	if f.v6 {
		return netip.Addr{}, fmt.Errorf("interface %s has no IPv6 address", ifi.Name)
	}
	return netip.Addr{}, fmt.Errorf("interface %s has no IPv4 address", ifi.Name)
}

func ifaceName(ifi *net.Interface) string {
	if ifi == nil {
		return "the default interface"
	}
	return ifi.Name
}

func ifaceLabel(name string) string {
	if name == "" {
		return "default"
	}
	return name
}
