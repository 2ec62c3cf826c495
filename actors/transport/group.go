package transport

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"unicode"
)

// ParseGroup checks a multicast group as multicast.group gives it, with
// the interface multicast.interface gives ("" for the system default), and
// returns the group without a zone and the interface to use. It is pure:
// config validation and OpenMulticast both use it, so a daemon refuses at
// start what the transport would refuse.
//
//   - IPv4: 224.0.0.0/4.
//   - IPv6: ff00::/8. A zone names the interface (ff02::db%eth0); it must
//     agree with iface when both are given. A group of interface-local
//     (ff01::/16) or link-local (ff02::/16) scope exists on one link
//     only, so it needs an interface: the system default would be a
//     guess. Wider scopes (ff05:: site, ff08:: organisation, ff0e::
//     global) may use the default.
//   - An IPv4-mapped IPv6 address (::ffff:239.1.2.3) is refused: write the
//     IPv4 group as is.
func ParseGroup(group, iface string) (netip.Addr, string, error) {
	a, err := netip.ParseAddr(group)
	switch {
	case err != nil:
		return netip.Addr{}, iface, errors.New("not an IP address")
	case a.Is4In6():
		return netip.Addr{}, iface, fmt.Errorf("an IPv4-mapped IPv6 address: write the IPv4 group as is (%s)", a.Unmap().WithZone(""))
	case a.Is4() && !a.IsMulticast():
		return netip.Addr{}, iface, errors.New("not an IPv4 multicast address (224.0.0.0/4)")
	case a.Is4():
		return a, iface, nil
	}
	if zone := a.Zone(); zone != "" {
		switch {
		case len(zone) > 15 || zone == "." || zone == ".." || strings.IndexFunc(zone, func(r rune) bool {
			return r == '/' || r == ':' || unicode.IsSpace(r) || unicode.IsControl(r)
		}) >= 0:
			return netip.Addr{}, iface, fmt.Errorf("zone %q is not an interface name", zone)
		case iface == "":
			iface = zone
		case zone != iface:
			return netip.Addr{}, iface, fmt.Errorf("the zone names interface %q, but multicast.interface is %q", zone, iface)
		}
		a = a.WithZone("")
	}
	if !a.IsMulticast() {
		return netip.Addr{}, iface, errors.New("not an IPv6 multicast address (ff00::/8, e.g. ff02::db or ff05::db)")
	}
	switch scope := a.As16()[1] & 0x0f; {
	case scope == 0 || scope == 0x0f:
		return netip.Addr{}, iface, fmt.Errorf("IPv6 multicast scope %x is reserved: use ff02:: (link), ff05:: (site) or ff08:: (organisation)", scope)
	case scope == 1 && iface == "":
		return netip.Addr{}, iface, fmt.Errorf("an interface-local (ff01::/16) group needs an interface: set multicast.interface, or add a zone (%s%%lo)", a)
	case scope == 2 && iface == "":
		return netip.Addr{}, iface, fmt.Errorf("a link-local (ff02::/16) group needs an interface: set multicast.interface, or add a zone (%s%%eth0)", a)
	}
	return a, iface, nil
}

// IsIPv6Group reports whether group (as multicast.group gives it) is an
// IPv6 address; the original Perl diskd speaks IPv4 only.
func IsIPv6Group(group string) bool {
	a, err := netip.ParseAddr(group)
	return err == nil && a.Is6() && !a.Is4In6()
}
