package transport

import (
	"net/netip"
	"testing"
)

// When several things are wrong with a lost link, the reason names the
// most basic one, so the log says what to fix first.
func TestDecide_lostReasonPriority(t *testing.T) {
	a := netip.MustParseAddr("198.18.0.1")
	bound := Bound{Index: 3, Addr: a}
	last := Link{Index: 3, Up: true, Addrs: []netip.Addr{a}}
	for _, c := range []struct {
		name string
		now  Link
		want string
	}{
		{"missing wins over down and no address", Link{}, "interface missing"},
		{"missing even if flagged up", Link{Up: true, Addrs: []netip.Addr{a}}, "interface missing"},
		{"down wins over no address", Link{Index: 3}, "link down"},
		{"up without address", Link{Index: 3, Up: true}, "no ipv4 address"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := Decide(bound, last, c.now)
			if p.Reason != c.want || p.Rejoin || p.Rebind || p.Addr != a {
				t.Errorf("got %+v, want only the reason %q and the bound address kept", p, c.want)
			}
		})
	}
}

// Before the first setup nothing is bound (zero Bound): a usable link
// means set everything up on its first address.
func TestDecide_firstSetup(t *testing.T) {
	a1, a2 := netip.MustParseAddr("198.18.0.1"), netip.MustParseAddr("198.18.0.2")
	now := Link{Index: 4, Up: true, Addrs: []netip.Addr{a2, a1}}
	p := Decide(Bound{}, Link{}, now)
	want := Plan{Rejoin: true, Rebind: true, Addr: a2, Reason: "interface index changed"}
	if p != want {
		t.Errorf("got %+v, want %+v", p, want)
	}
	if p := Decide(Bound{}, Link{}, Link{}); p.Rejoin || p.Rebind || p.Reason != "" {
		t.Errorf("unusable from the start: got %+v, want nothing and no reason", p)
	}
}

// Decide is applied again at every check: once the plan is carried out
// (bound and last updated as the transport does), the next check says
// nothing to do, whatever the change was.
func TestDecide_convergesAfterApplying(t *testing.T) {
	a1, a2 := netip.MustParseAddr("198.18.0.1"), netip.MustParseAddr("198.18.0.2")
	start := Link{Index: 3, Up: true, Addrs: []netip.Addr{a1}}
	for _, c := range []struct {
		name string
		now  Link
	}{
		{"renumbered", Link{Index: 3, Up: true, Addrs: []netip.Addr{a2}}},
		{"re-created", Link{Index: 9, Up: true, Addrs: []netip.Addr{a1}}},
		{"re-created and renumbered", Link{Index: 9, Up: true, Addrs: []netip.Addr{a2, a1}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			bound := Bound{Index: 3, Addr: a1}
			p := Decide(bound, start, c.now)
			if !p.Rejoin {
				t.Fatalf("got %+v, want a fix", p)
			}
			bound = Bound{Index: c.now.Index, Addr: p.Addr}
			if again := Decide(bound, c.now, c.now); again.Rejoin || again.Rebind || again.Reason != "" {
				t.Errorf("got %+v, want nothing to do", again)
			}
			if !c.now.Usable() || p.Addr != pick(c.now, a1) {
				t.Errorf("got address %v, want %v", p.Addr, pick(c.now, a1))
			}
		})
	}
}
