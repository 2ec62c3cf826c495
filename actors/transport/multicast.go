package transport

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"

	"golang.org/x/net/ipv4"
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

// recvBuffer is the receive buffer asked of the kernel.
const recvBuffer = 1 << 20

// ErrWrongDestination is returned by Receive for a datagram addressed to
// another group that the kernel delivered to our port anyway.
var ErrWrongDestination = errors.New("datagram for another destination")

// multicastTransport is IPv4 multicast on one interface: a receiving socket
// bound to the port (shared by every daemon on the host) and joined to the
// group, and a sending socket bound to the interface's address.
type multicastTransport struct {
	group *net.UDPAddr
	recv  *ipv4.PacketConn
	rconn net.PacketConn
	send  *ipv4.PacketConn
	sconn net.PacketConn
}

func OpenMulticast(group string, port int, ifname string, ttl int) (Transport, error) {
	gip := net.ParseIP(group).To4()
	if gip == nil || !gip.IsMulticast() {
		return nil, fmt.Errorf("%q is not an IPv4 multicast group", group)
	}
	var ifi *net.Interface
	srcAddr := "0.0.0.0:0"
	if ifname != "" {
		var err error
		if ifi, err = net.InterfaceByName(ifname); err != nil {
			return nil, fmt.Errorf("interface %q: %w", ifname, err)
		}
		ip, err := interfaceIPv4(ifi)
		if err != nil {
			return nil, err
		}
		srcAddr = net.JoinHostPort(ip.String(), "0")
	}
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			// Several daemons on one host share the port.
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
			if serr == nil {
				// Only the groups this socket joined, not every group
				// joined by any socket on the host.
				serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_MULTICAST_ALL, 0)
			}
			if serr == nil {
				// Room for a burst of chunks (a thousand-disk host sends
				// about a hundred at once); the kernel caps it at rmem_max.
				serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, recvBuffer)
			}
		})
		if err != nil {
			return err
		}
		return serr
	}}
	rconn, err := lc.ListenPacket(context.Background(), "udp4", fmt.Sprintf("0.0.0.0:%d", port))
	if err != nil {
		return nil, fmt.Errorf("listen on port %d: %w", port, err)
	}
	t := &multicastTransport{group: &net.UDPAddr{IP: gip, Port: port}, rconn: rconn, recv: ipv4.NewPacketConn(rconn)}
	if err := t.recv.JoinGroup(ifi, &net.UDPAddr{IP: gip}); err != nil {
		rconn.Close()
		return nil, fmt.Errorf("join %s on %s: %w", group, ifaceName(ifi), err)
	}
	if err := t.recv.SetControlMessage(ipv4.FlagDst, true); err != nil {
		rconn.Close()
		return nil, fmt.Errorf("control messages: %w", err)
	}
	sconn, err := net.ListenPacket("udp4", srcAddr)
	if err != nil {
		rconn.Close()
		return nil, fmt.Errorf("sending socket on %s: %w", srcAddr, err)
	}
	t.sconn, t.send = sconn, ipv4.NewPacketConn(sconn)
	fail := func(what string, err error) (Transport, error) {
		t.Close()
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if ifi != nil {
		// Without this the datagram follows the default route.
		if err := t.send.SetMulticastInterface(ifi); err != nil {
			return fail("set multicast interface "+ifname, err)
		}
	}
	if err := t.send.SetMulticastTTL(ttl); err != nil {
		return fail("set multicast ttl", err)
	}
	// Other daemons on this host are peers too.
	if err := t.send.SetMulticastLoopback(true); err != nil {
		return fail("set multicast loopback", err)
	}
	return t, nil
}

func (t *multicastTransport) Receive(buf []byte) (int, string, bool, error) {
	n, cm, src, err := t.recv.ReadFrom(buf)
	if err != nil {
		return 0, "", false, err
	}
	s := ""
	if src != nil {
		s = src.String()
	}
	if cm != nil && cm.Dst != nil && !cm.Dst.Equal(t.group.IP) {
		return n, s, false, ErrWrongDestination
	}
	return n, s, n == len(buf), nil
}

func (t *multicastTransport) Send(b []byte) error {
	_, err := t.send.WriteTo(b, nil, t.group)
	return err
}

func (t *multicastTransport) Close() error {
	err := t.rconn.Close()
	if t.sconn != nil {
		err = errors.Join(err, t.sconn.Close())
	}
	return err
}

func interfaceIPv4(ifi *net.Interface) (net.IP, error) {
	addrs, err := ifi.Addrs()
	if err != nil {
		return nil, fmt.Errorf("interface %s: %w", ifi.Name, err)
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil {
			return ipn.IP.To4(), nil
		}
	}
	return nil, fmt.Errorf("interface %s has no IPv4 address", ifi.Name)
}

func ifaceName(ifi *net.Interface) string {
	if ifi == nil {
		return "the default interface"
	}
	return ifi.Name
}
