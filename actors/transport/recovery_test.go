package transport

import (
	"net/netip"
	"testing"
)

func TestDecide(t *testing.T) {
	a1, a2, a3 := netip.MustParseAddr("198.18.0.1"), netip.MustParseAddr("198.18.0.2"), netip.MustParseAddr("198.18.0.3")
	up := func(index int, addrs ...netip.Addr) Link { return Link{Index: index, Up: true, Addrs: addrs} }
	down := Link{Index: 3, Addrs: []netip.Addr{a1}}
	bound := Bound{Index: 3, Addr: a1}
	cases := []struct {
		name      string
		last, now Link
		want      Plan
	}{
		{"unchanged", up(3, a1), up(3, a1), Plan{Addr: a1}},
		{"link goes down", up(3, a1), down, Plan{Addr: a1, Reason: "link down"}},
		{"still down", down, down, Plan{Addr: a1}},
		{"interface vanishes", up(3, a1), Link{}, Plan{Addr: a1, Reason: "interface missing"}},
		{"address removed", up(3, a1), up(3), Plan{Addr: a1, Reason: "no ipv4 address"}},
		{"link back up", down, up(3, a1), Plan{Rejoin: true, Addr: a1, Reason: "link up"}},
		{"address back", up(3), up(3, a1), Plan{Rejoin: true, Addr: a1, Reason: "link up"}},
		{"renumbered", up(3, a1), up(3, a2), Plan{Rejoin: true, Rebind: true, Addr: a2, Reason: "address changed"}},
		{"renumbered while down", down, up(3, a2, a3), Plan{Rejoin: true, Rebind: true, Addr: a2, Reason: "address changed"}},
		{"address added", up(3, a1), up(3, a2, a1), Plan{Addr: a1}},
		{"addresses reordered", up(3, a1, a2), up(3, a2, a1), Plan{Addr: a1}},
		{"re-created, same address", down, up(7, a1), Plan{Rejoin: true, Rebind: true, Addr: a1, Reason: "interface index changed"}},
		{"re-created, new address", Link{}, up(7, a2), Plan{Rejoin: true, Rebind: true, Addr: a2, Reason: "interface index changed"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Decide(bound, c.last, c.now)
			if got != c.want {
				t.Errorf("Decide(%+v, %+v, %+v) = %+v, want %+v", bound, c.last, c.now, got, c.want)
			}
		})
	}
}

// A failed fix leaves bound and last as they were, so the same plan comes
// again at the next check until it works.
func TestDecide_RetriesUntilApplied(t *testing.T) {
	a1, a2 := netip.MustParseAddr("198.18.0.1"), netip.MustParseAddr("198.18.0.2")
	bound, last := Bound{Index: 2, Addr: a1}, Link{Index: 2, Addrs: []netip.Addr{a1}}
	now := Link{Index: 2, Up: true, Addrs: []netip.Addr{a2}}
	for range 3 {
		if p := Decide(bound, last, now); !p.Rejoin || !p.Rebind || p.Addr != a2 {
			t.Fatalf("got %+v, want a rejoin and a rebind to %s", p, a2)
		}
	}
	bound, last = Bound{Index: 2, Addr: a2}, now
	if p := Decide(bound, last, now); p.Rejoin || p.Rebind || p.Reason != "" {
		t.Fatalf("after the fix: got %+v, want nothing to do", p)
	}
}

func TestLinkUsable(t *testing.T) {
	a := []netip.Addr{netip.MustParseAddr("127.0.0.1")}
	for _, c := range []struct {
		l    Link
		want bool
	}{
		{Link{Index: 1, Up: true, Addrs: a}, true},
		{Link{Index: 0, Up: true, Addrs: a}, false},
		{Link{Index: 1, Up: false, Addrs: a}, false},
		{Link{Index: 1, Up: true}, false},
	} {
		if got := c.l.Usable(); got != c.want {
			t.Errorf("%+v.Usable() = %v, want %v", c.l, got, c.want)
		}
	}
}

// Decide serves IPv6 too: the addresses carry their zone, and the reason
// names the family.
func TestDecide_IPv6(t *testing.T) {
	ll, ula := netip.MustParseAddr("fe80::1%eth0"), netip.MustParseAddr("fd00:198:18::1")
	bound := Bound{Index: 3, Addr: ll}
	up := func(addrs ...netip.Addr) Link { return Link{Index: 3, Up: true, Addrs: addrs} }
	if p := Decide(bound, up(ll), up()); p.Reason != "no ipv6 address" || p.Rejoin {
		t.Errorf("address removed: %+v, want to wait with reason no ipv6 address", p)
	}
	if p := Decide(bound, up(ll), up(ula, ll)); p.Rebind || p.Rejoin {
		t.Errorf("a ULA added: %+v, want nothing", p)
	}
	if p := Decide(bound, up(ll), up(netip.MustParseAddr("fe80::2%eth0"))); !p.Rebind || p.Addr.String() != "fe80::2%eth0" {
		t.Errorf("link-local replaced: %+v, want a rebind to fe80::2%%eth0", p)
	}
}
