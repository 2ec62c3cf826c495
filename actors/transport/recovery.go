package transport

import (
	"net/netip"
	"slices"
)

// Link is what one check sees of the interface the transport uses: no
// sockets, so that Decide can be tested on values alone.
type Link struct {
	// Index is the interface index; 0 means the interface is missing (or,
	// without a configured interface, no route leads to the group).
	Index int
	// Up is true when the interface is administratively up and has a
	// carrier (IFF_UP and IFF_RUNNING).
	Up bool
	// Addrs are its addresses of the group's family in the kernel's order
	// (IPv6: those of the group's scope first, see family.addrs).
	Addrs []netip.Addr
}

// Usable reports whether the sockets can be set up on the link now.
func (l Link) Usable() bool { return l.Index > 0 && l.Up && len(l.Addrs) > 0 }

// Bound is what the sockets were last set up for: the group joined on
// Index, the sending socket bound to Addr.
type Bound struct {
	Index int
	Addr  netip.Addr
}

// Plan is what the sockets need after a check.
type Plan struct {
	Rejoin bool       // leave and join the group again on the receiving socket
	Rebind bool       // open the sending socket again, bound to Addr
	Addr   netip.Addr // the address to bind to (and the one to keep)
	// Reason says why, for the log; it is also set when the link was lost
	// and nothing can be done until it is back ("link down").
	Reason string
}

// Decide compares the link the sockets were set up for (bound), the link
// seen at the previous check (last) and the link seen now, and says what
// to redo:
//
//   - the link is not usable now (down, missing, no address): nothing
//     yet; sends fail and are counted until it is back;
//   - its index changed (the interface was re-created): rejoin and rebind;
//   - the bound address is gone (renumbered): rejoin and rebind to the
//     first address it has now;
//   - it was unusable at the previous check (a flap): rejoin, so that the
//     membership is reported again to switches that forgot it; the
//     sending socket is still good;
//   - else nothing.
//
// A bound address that is still present is kept even if it is no longer
// the first, so that reordered addresses never cause a rebind.
func Decide(bound Bound, last, now Link) Plan {
	if !now.Usable() {
		if last.Usable() {
			return Plan{Addr: bound.Addr, Reason: lostReason(now, bound.Addr)}
		}
		return Plan{Addr: bound.Addr}
	}
	switch {
	case now.Index != bound.Index:
		return Plan{Rejoin: true, Rebind: true, Addr: pick(now, bound.Addr), Reason: "interface index changed"}
	case !slices.Contains(now.Addrs, bound.Addr):
		return Plan{Rejoin: true, Rebind: true, Addr: now.Addrs[0], Reason: "address changed"}
	case !last.Usable():
		return Plan{Rejoin: true, Addr: bound.Addr, Reason: "link up"}
	}
	return Plan{Addr: bound.Addr}
}

// pick keeps addr if the link still has it, else takes its first address.
func pick(l Link, addr netip.Addr) netip.Addr {
	if slices.Contains(l.Addrs, addr) {
		return addr
	}
	return l.Addrs[0]
}

func lostReason(l Link, bound netip.Addr) string {
	switch {
	case l.Index == 0:
		return "interface missing"
	case !l.Up:
		return "link down"
	}
	if bound.Is6() {
		return "no ipv6 address"
	}
	return "no ipv4 address"
}
