package transport

import (
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func TestParseGroup(t *testing.T) {
	for _, tc := range []struct {
		group, iface string
		want         string // the group returned, "" when an error is wanted
		wantIface    string
		err          string
	}{
		{group: "239.255.71.9", want: "239.255.71.9"},
		{group: "239.255.71.9", iface: "eth0", want: "239.255.71.9", wantIface: "eth0"},
		{group: "10.0.0.1", err: "not an IPv4 multicast address (224.0.0.0/4)"},
		{group: "", err: "not an IP address"},
		{group: "diskd.example", err: "not an IP address"},
		{group: "239.1.2.3%eth0", err: "not an IP address"},
		{group: "::ffff:239.1.2.3", err: "IPv4-mapped IPv6 address: write the IPv4 group as is (239.1.2.3)"},
		{group: "ff02::db", iface: "eth0", want: "ff02::db", wantIface: "eth0"},
		{group: "ff02::db%eth0", want: "ff02::db", wantIface: "eth0"},
		{group: "ff02::db%eth0", iface: "eth0", want: "ff02::db", wantIface: "eth0"},
		{group: "ff02::db%eth1", iface: "eth0", err: `the zone names interface "eth1", but multicast.interface is "eth0"`},
		{group: "ff02::db", err: "a link-local (ff02::/16) group needs an interface"},
		{group: "ff12::db", err: "a link-local (ff02::/16) group needs an interface"}, // transient flag, same scope
		{group: "ff01::db", err: "an interface-local (ff01::/16) group needs an interface"},
		{group: "ff01::db", iface: "lo", want: "ff01::db", wantIface: "lo"},
		{group: "ff05::db", want: "ff05::db"},
		{group: "ff08::db", iface: "eth0", want: "ff08::db", wantIface: "eth0"},
		{group: "ff0e::db", want: "ff0e::db"},
		{group: "ff00::db", err: "scope 0 is reserved"},
		{group: "ff0f::db", err: "scope f is reserved"},
		{group: "fe80::1", iface: "eth0", err: "not an IPv6 multicast address (ff00::/8"},
		{group: "2001:db8::1", err: "not an IPv6 multicast address"},
		{group: "ff02::db%a/b", err: `zone "a/b" is not an interface name`},
		{group: "ff02::db%0123456789abcdef", err: "is not an interface name"},
	} {
		g, iface, err := ParseGroup(tc.group, tc.iface)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseGroup(%q, %q) = %v, %q, %v; want an error containing %q", tc.group, tc.iface, g, iface, err, tc.err)
			}
			continue
		}
		if err != nil || g != netip.MustParseAddr(tc.want) || iface != tc.wantIface {
			t.Errorf("ParseGroup(%q, %q) = %v, %q, %v; want %s, %q", tc.group, tc.iface, g, iface, err, tc.want, tc.wantIface)
		}
	}
}

func TestIsIPv6Group(t *testing.T) {
	for g, want := range map[string]bool{"ff02::db%eth0": true, "ff05::db": true, "239.1.2.3": false,
		"::ffff:239.1.2.3": false, "junk": false} {
		if got := IsIPv6Group(g); got != want {
			t.Errorf("IsIPv6Group(%q) = %v, want %v", g, got, want)
		}
	}
}

// The address to send from suits the group's scope: link-local for an
// ff02:: group (with the interface as its zone, which binding needs), the
// ULA or global one for a wider scope; IPv4 takes IPv4 addresses only.
func TestFamilyAddrs(t *testing.T) {
	ifi := &net.Interface{Index: 7, Name: "veth0"}
	cidr := func(s string) net.Addr {
		ip, n, err := net.ParseCIDR(s)
		if err != nil {
			t.Fatal(err)
		}
		n.IP = ip
		return n
	}
	as := []net.Addr{cidr("198.18.0.1/15"), cidr("fd00:198:18::1/64"), cidr("fe80::1/64"), cidr("2001:db8::1/64")}
	str := func(as []netip.Addr) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.String())
		}
		return out
	}
	for _, tc := range []struct {
		group string
		want  []string
	}{
		{"239.1.2.3", []string{"198.18.0.1"}},
		{"ff02::db", []string{"fe80::1%veth0", "fd00:198:18::1", "2001:db8::1"}},
		{"ff05::db", []string{"fd00:198:18::1", "2001:db8::1", "fe80::1%veth0"}},
	} {
		f := familyOf(netip.MustParseAddr(tc.group))
		if got := str(f.addrs(ifi, as)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: addrs = %v, want %v", tc.group, got, tc.want)
		}
	}
	if _, err := familyOf(netip.MustParseAddr("ff05::db")).sourceOf(&net.Interface{Name: "none0", Index: 1 << 30}); err == nil {
		t.Error("sourceOf a missing interface: no error")
	}
}

func TestFamilyOf(t *testing.T) {
	if f := familyOf(netip.MustParseAddr("239.1.2.3")); f.v6 || f.network() != "udp4" || f.any().String() != "0.0.0.0" {
		t.Errorf("IPv4 family: %+v", f)
	}
	if f := familyOf(netip.MustParseAddr("ff02::db")); !f.v6 || !f.linkScope || f.network() != "udp6" || f.any().String() != "::" {
		t.Errorf("ff02:: family: %+v", f)
	}
	if f := familyOf(netip.MustParseAddr("ff05::db")); !f.v6 || f.linkScope {
		t.Errorf("ff05:: family: %+v", f)
	}
}

// FuzzParseGroup: multicast.group comes from a file or a flag. Whatever
// ParseGroup accepts is a multicast group without a zone, a link-scoped
// IPv6 one has an interface, and accepting it again gives the same.
func FuzzParseGroup(f *testing.F) {
	for _, s := range [][2]string{{"230.1.2.3", ""}, {"ff02::db%eth0", ""}, {"ff02::db", "eth0"}, {"ff05::db", ""},
		{"ff02::db%eth1", "eth0"}, {"::ffff:239.1.2.3", ""}, {"ff01::1%lo", "lo"}, {"fe80::1%eth0", ""}, {"ff0f::", ""},
		{"ff02::db%", ""}, {"ff02::db%a/b", ""}, {"", ""}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, group, iface string) {
		g, gotIface, err := ParseGroup(group, iface)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		if !g.IsMulticast() || g.Zone() != "" || g.Is4In6() {
			t.Fatalf("ParseGroup(%q, %q) accepted %v", group, iface, g)
		}
		if f := familyOf(g); f.linkScope && gotIface == "" {
			t.Fatalf("ParseGroup(%q, %q): link-scoped %v without an interface", group, iface, g)
		}
		if iface != "" && gotIface != iface {
			t.Fatalf("ParseGroup(%q, %q) changed the interface to %q", group, iface, gotIface)
		}
		g2, iface2, err := ParseGroup(g.String(), gotIface)
		if err != nil || g2 != g || iface2 != gotIface {
			t.Fatalf("again: ParseGroup(%q, %q) = %v, %q, %v; want %v, %q", g, gotIface, g2, iface2, err, g, gotIface)
		}
	})
}
