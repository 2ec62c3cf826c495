package test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// Two daemons on an IPv6 multicast group find each other and list each
// other's disks: real daemon processes in network namespaces joined by a
// bridge (IPv6 multicast is not delivered on lo), addresses from
// fd00:198:18::/48, DAD off. With an ff02:: (link-local) group the peer is
// known by its link-local source with the interface as zone; with ff05::
// (site-local) by its unique local address, the source of that scope.
func TestIPv6Multicast_DaemonsFindEachOther(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping a test that runs daemons")
	}
	if reason := bed.NetnsUnavailable(); reason != "" {
		t.Skip("IPv6 multicast needs network namespaces (it is not delivered on lo): " + reason)
	}
	suffix := fmt.Sprintf("db:%x", 1+rand.IntN(0xfffe)) // a group of the test's own
	for _, tc := range []struct {
		name, group string
		addr        func(peer *bed.Host) string // the peer address wanted, without the port
	}{
		// The zone names the interface, as multicast.interface does.
		{"link-local ff02", "ff02::" + suffix + "%veth0", func(*bed.Host) string { return "[fe80:" }},
		{"site-local ff05", "ff05::" + suffix, func(p *bed.Host) string { return "[" + p.Addr6 + "]" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := bed.New(t, bed.Options{Hosts: 2, Mode: bed.Netns, IPv6: true, Group: tc.group,
				Announce: 250 * time.Millisecond, PeerTimeout: 2 * time.Second})
			if _, err := b.WaitConverged(context.Background(), 0, 20*time.Second); err != nil {
				t.Fatal(err)
			}
			for i, h := range b.Hosts {
				peer := b.Hosts[1-i]
				l, err := h.List()
				if err != nil {
					t.Fatal(err)
				}
				theirs := 0
				for _, d := range l {
					if d.Node == peer.Name && !d.Local {
						theirs++
					}
				}
				if want := len(peer.Disks()); theirs != want {
					t.Errorf("%s lists %d disks of %s, want %d", h.Name, theirs, peer.Name, want)
				}
				ps, err := h.Peers()
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, p := range ps {
					if p.Node != peer.Name {
						continue
					}
					found = true
					if p.State != "alive" || !strings.HasPrefix(p.Addr, tc.addr(peer)) {
						t.Errorf("%s sees %s %s at %q, want alive at %s…", h.Name, peer.Name, p.State, p.Addr, tc.addr(peer))
					}
					if tc.group[:4] == "ff02" && !strings.Contains(p.Addr, "%veth0]:") {
						t.Errorf("%s sees %s at %q: a link-local source without its zone (%%veth0)", h.Name, peer.Name, p.Addr)
					}
				}
				if !found {
					t.Errorf("%s does not list peer %s", h.Name, peer.Name)
				}
				// status shows the address the sending socket is bound to:
				// the one of the group's scope.
				st, err := h.Status()
				if err != nil {
					t.Fatal(err)
				}
				js, _ := json.Marshal(st)
				want := `"address":"` + h.Addr6 + `"`
				if tc.group[:4] == "ff02" {
					want = `"address":"fe80::`
				}
				if !strings.Contains(string(js), want) {
					t.Errorf("%s status: no %s in %s", h.Name, want, js)
				}
			}
		})
	}
}

// A daemon refuses an IPv6 group it cannot use at start, with a message
// naming the problem (any user, nothing is sent).
func TestIPv6Multicast_BadGroupsRefused(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--group", "ff02::db"}, "a link-local (ff02::/16) group needs an interface"},
		{[]string{"--group", "ff02::db%eth1", "--interface", "eth0"}, `the zone names interface "eth1", but multicast.interface is "eth0"`},
		{[]string{"--group", "fd00::db"}, "not an IPv6 multicast address"},
		{[]string{"--group", "ff02::db%dbnosuch0"}, "dbnosuch0"},
	} {
		args := append([]string{"daemon", "--log-level", "error"}, tc.args...)
		_, errs, code := runClient(t, args...)
		if code == 0 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want a refusal containing %q", tc.args, code, errs, tc.want)
		}
	}
}

// The recovery of a link flap holds for IPv6 too: the interface goes down
// (the kernel drops its IPv6 addresses) and up (the link-local address
// comes back); the daemon rejoins the ff02:: group and is heard again
// within two announce intervals, without a restart.
func TestIPv6Multicast_LinkFlap(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping a test that runs daemons")
	}
	if reason := bed.NetnsUnavailable(); reason != "" {
		t.Skip("IPv6 multicast needs network namespaces (it is not delivered on lo): " + reason)
	}
	b := bed.New(t, bed.Options{Hosts: 2, Mode: bed.Netns, IPv6: true, Group: fmt.Sprintf("ff02::db:%x", 1+rand.IntN(0xfffe)),
		Announce: recoveryAnnounce, PeerTimeout: 2 * recoveryAnnounce, Race: true, LogLevel: "info"})
	if _, err := b.WaitConverged(context.Background(), 0, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	h0, h1 := b.Hosts[0], b.Hosts[1]
	before, pid := instances(t, b, h1), h1.PID()
	if err := h1.Cut(); err != nil {
		t.Fatal(err)
	}
	recoveryWait(t, "h00 marks the cut-off h01 down", func() (bool, error) {
		p, err := recoveryPeer(h0, "h01")
		return p.State == messages.PeerDown, err
	})
	healed := time.Now()
	if err := h1.Heal(); err != nil {
		t.Fatal(err)
	}
	checkRecovered(t, b, h1, healed, "[fe80:", before)
	if h1.PID() != pid {
		t.Errorf("h01's daemon is pid %d, was %d", h1.PID(), pid)
	}
	if l := linkOf(t, h1); l.Rejoins < 1 || !l.Up || !strings.HasPrefix(l.Address, "fe80:") {
		t.Errorf("h01 network.link after the flap: %+v, want a rejoin, the link up, a link-local address", l)
	} else {
		t.Logf("h01 link: %s", l.Line())
	}
	checkLog(t, b, h1)
}
