package transport

import (
	"net"
	"net/netip"
	"slices"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
	"golang.org/x/sys/unix"
)

// family is what differs between IPv4 and IPv6 multicast: the socket
// network, the socket options, which interface addresses count and which
// of them to send from. Everything else (joining, the watcher, Decide) is
// the same for both.
type family struct {
	v6 bool
	// linkScope: an IPv6 group of interface-local (ff01::/16) or
	// link-local (ff02::/16) scope. The same group on two interfaces is
	// then two groups, so a datagram is also checked for the interface it
	// came in on.
	linkScope bool
}

func familyOf(group netip.Addr) family {
	if group.Is4() || group.Is4In6() {
		return family{}
	}
	return family{v6: true, linkScope: group.IsLinkLocalMulticast() || group.IsInterfaceLocalMulticast()}
}

// network is the socket network for net.ListenPacket.
func (f family) network() string {
	if f.v6 {
		return "udp6"
	}
	return "udp4"
}

// any is the unspecified address, for a socket bound to a port alone.
func (f family) any() netip.Addr {
	if f.v6 {
		return netip.IPv6Unspecified()
	}
	return netip.IPv4Unspecified()
}

// multicastAll is the socket option that, set to 0, limits a socket to the
// groups it joined itself, not every group any socket on the host joined
// (IP_MULTICAST_ALL, and IPV6_MULTICAST_ALL since Linux 4.20).
func (f family) multicastAll() (level, opt int) {
	if f.v6 {
		return unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_ALL
	}
	return unix.IPPROTO_IP, unix.IP_MULTICAST_ALL
}

// netlinkGroups are the netlink groups of the family's address (and, with
// routes, route) events.
func (f family) netlinkGroups(withRoutes bool) uint32 {
	g := uint32(unix.RTMGRP_IPV4_IFADDR)
	if withRoutes {
		g |= unix.RTMGRP_IPV4_ROUTE
	}
	if f.v6 {
		g = unix.RTMGRP_IPV6_IFADDR
		if withRoutes {
			g |= unix.RTMGRP_IPV6_ROUTE
		}
	}
	return unix.RTMGRP_LINK | g
}

// addrs returns ifi's addresses of the family, the one to send from
// first. An IPv6 link-local address carries the interface as its zone,
// which binding to it needs. For an IPv6 group of link scope the
// link-local address comes first, for a wider scope the others (ULA,
// global) do: the source a receiver can answer, as RFC 6724 would choose.
func (f family) addrs(ifi *net.Interface, ifAddrs []net.Addr) []netip.Addr {
	var out []netip.Addr
	for _, a := range ifAddrs {
		ipn, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		if !f.v6 {
			if ip, ok := netip.AddrFromSlice(ipn.IP.To4()); ok {
				out = append(out, ip)
			}
			continue
		}
		if ipn.IP.To4() != nil {
			continue
		}
		ip, ok := netip.AddrFromSlice(ipn.IP)
		if !ok {
			continue
		}
		if ip.IsLinkLocalUnicast() {
			ip = ip.WithZone(ifi.Name)
		}
		out = append(out, ip)
	}
	if f.v6 {
		// Stable: the kernel's order within each kind.
		slices.SortStableFunc(out, func(a, b netip.Addr) int {
			return f.rank(a) - f.rank(b)
		})
	}
	return out
}

func (f family) rank(a netip.Addr) int {
	if a.IsLinkLocalUnicast() == f.linkScope {
		return 0
	}
	return 1
}

// groupConn is the part of ipv4.PacketConn and ipv6.PacketConn the
// transport uses, so that one transport serves both families.
type groupConn interface {
	JoinGroup(ifi *net.Interface, group net.Addr) error
	LeaveGroup(ifi *net.Interface, group net.Addr) error
	SetMulticastInterface(ifi *net.Interface) error
	SetMulticastLoopback(on bool) error
	// setHops sets the TTL (IPv4) or hop limit (IPv6) of sent datagrams.
	setHops(n int) error
	// wantDestination asks for the destination address and the arrival
	// interface of every datagram.
	wantDestination() error
	// read reads one datagram; dst and ifindex are nil and 0 when the
	// kernel said nothing.
	read(buf []byte) (n int, dst net.IP, ifindex int, src net.Addr, err error)
	write(b []byte, dst net.Addr) error
}

func (f family) wrap(c net.PacketConn) groupConn {
	if f.v6 {
		return v6Conn{ipv6.NewPacketConn(c)}
	}
	return v4Conn{ipv4.NewPacketConn(c)}
}

type v4Conn struct{ *ipv4.PacketConn }

func (c v4Conn) setHops(n int) error { return c.SetMulticastTTL(n) }
func (c v4Conn) wantDestination() error {
	return c.SetControlMessage(ipv4.FlagDst|ipv4.FlagInterface, true)
}
func (c v4Conn) read(buf []byte) (int, net.IP, int, net.Addr, error) {
	n, cm, src, err := c.ReadFrom(buf)
	if cm == nil {
		return n, nil, 0, src, err
	}
	return n, cm.Dst, cm.IfIndex, src, err
}
func (c v4Conn) write(b []byte, dst net.Addr) error {
	_, err := c.WriteTo(b, nil, dst)
	return err
}

type v6Conn struct{ *ipv6.PacketConn }

func (c v6Conn) setHops(n int) error { return c.SetMulticastHopLimit(n) }
func (c v6Conn) wantDestination() error {
	return c.SetControlMessage(ipv6.FlagDst|ipv6.FlagInterface, true)
}
func (c v6Conn) read(buf []byte) (int, net.IP, int, net.Addr, error) {
	n, cm, src, err := c.ReadFrom(buf)
	if cm == nil {
		return n, nil, 0, src, err
	}
	return n, cm.Dst, cm.IfIndex, src, err
}
func (c v6Conn) write(b []byte, dst net.Addr) error {
	_, err := c.WriteTo(b, nil, dst)
	return err
}
