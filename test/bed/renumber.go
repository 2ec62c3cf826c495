package bed

import (
	"fmt"
	"net/netip"
)

// renumberRange is where Renumber takes addresses from: 198.19.0.0/16,
// the upper half of the bed's 198.18.0.0/15, which newNetnsNet never
// hands out (it counts up from 198.18.0.1), so a new address never
// collides with another host's.
var renumberRange = netip.MustParsePrefix("198.19.0.0/16")

// RenumberAddr is the address Renumber gives host i the n-th time (n from
// 1): unique per host and per renumbering within one bed.
func RenumberAddr(i, n int) string {
	k := n*250 + i // below 2^16 for any bed of 250 hosts renumbered 250 times
	b := renumberRange.Addr().As4()
	return netip.AddrFrom4([4]byte{b[0], b[1], byte(k / 250), byte(1 + k%250)}).String()
}

// Renumber moves the host to addr (netns mode only), as a DHCP lease
// renewal with a new address would: the old address is removed, the new
// one added in the same 198.18.0.0/15, and the multicast route, which the
// kernel drops with the device's last address, put back. The daemon keeps
// running; h.Addr becomes addr. Call it from the test's goroutine only.
func (h *Host) Renumber(addr string) error {
	if h.NS == "" {
		return fmt.Errorf("%s: Renumber needs netns mode", h.Name)
	}
	a, err := netip.ParseAddr(addr)
	if err != nil || !a.Is4() || !netip.MustParsePrefix("198.18.0.0/15").Contains(a) {
		return fmt.Errorf("%s: Renumber to %q: want an IPv4 address in 198.18.0.0/15", h.Name, addr)
	}
	if err := ip("-n", h.NS, "addr", "del", h.Addr+"/15", "dev", h.Iface); err != nil {
		return err
	}
	if err := ip("-n", h.NS, "addr", "add", addr+"/15", "dev", h.Iface); err != nil {
		return err
	}
	h.Addr = addr
	return ip("-n", h.NS, "route", "replace", "224.0.0.0/4", "dev", h.Iface)
}

// Replug removes the host's veth and makes a new one (netns mode only),
// as when a USB adapter is pulled and put back or a VM's NIC is
// hot-plugged: same name and address, a new interface index, so every
// socket option naming the old index is stale. The daemon keeps running.
func (h *Host) Replug() error {
	if h.NS == "" || h.bed == nil || h.bed.net == nil {
		return fmt.Errorf("%s: Replug needs netns mode", h.Name)
	}
	brNS, port := h.bed.net.bridgeNS, fmt.Sprintf("p%d", h.Index)  // as newNetnsNet named them
	if err := ip("-n", h.NS, "link", "del", h.Iface); err != nil { // its bridge end goes with it
		return err
	}
	for _, args := range [][]string{
		{"-n", brNS, "link", "add", port, "type", "veth", "peer", "name", h.Iface, "netns", h.NS},
		{"-n", brNS, "link", "set", port, "master", "br0"},
		{"-n", brNS, "link", "set", port, "up"},
		{"-n", h.NS, "addr", "add", h.Addr + "/15", "dev", h.Iface},
		{"-n", h.NS, "link", "set", h.Iface, "up"},
		{"-n", h.NS, "route", "replace", "224.0.0.0/4", "dev", h.Iface},
	} {
		if err := ip(args...); err != nil {
			return err
		}
	}
	return nil
}
