package test

import (
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// Two subnets joined by a router that forwards unicast and no multicast
// (as root, in namespaces; bed.New skips with the reason otherwise):
// multicast-only daemons hear their own subnet and not the other. h0 and
// h2 share subnet 0, h1 is alone on subnet 1; once h0 has heard several
// of h2's datagrams, h1 would have been heard too if multicast crossed.
func TestClusterNetns_MulticastStaysOnItsSubnet(t *testing.T) {
	t.Parallel()
	b := bed.New(t, bed.Options{Mode: bed.Netns, Subnets: 2, Hosts: 3})
	h0, h1, h2 := b.Hosts[0], b.Hosts[1], b.Hosts[2]
	bed.WaitFor(t, 20*time.Second, "h0 heard h2 (same subnet) six times", func() (bool, error) {
		ps, err := h0.Peers()
		p := peerNamed(ps, h2.Name)
		return err == nil && p != nil && p.Seq >= 6, fmt.Errorf("%+v (%v)", p, err)
	})
	for _, h := range []*bed.Host{h0, h2} {
		ps, err := h.Peers()
		if err != nil || peerNamed(ps, h1.Name) != nil {
			t.Errorf("%s hears %s across the router by multicast: %+v (%v)", h.Name, h1.Name, ps, err)
		}
	}
	if ps, err := h1.Peers(); err != nil || len(ps) != 0 {
		t.Errorf("%s, alone on its subnet, hears %+v (%v)", h1.Name, ps, err)
	}
}

// Cluster daemons on the two subnets, each with 1,000 disks, join through
// the router and list each other's inventory whole; kill -9 of one is
// down on the other within the local profile's failure detection.
func TestClusterNetns_ClusterCrossesTheRouter(t *testing.T) {
	t.Parallel()
	const disks = 1000
	bind := func(i int) string { return bed.RoutedAddr(i, 2) + ":" + strconv.Itoa(config.DefaultPort+1) }
	b := bed.New(t, bed.Options{Mode: bed.Netns, Subnets: 2, Hosts: 2, PeerTimeout: time.Minute,
		Disks: func(i int) []bed.Disk { return bed.Disks(i, disks) },
		Configure: func(i int, c *config.Config) {
			c.Cluster = config.Cluster{Enabled: true, Bind: bind(i), Profile: "local", Label: "netns"}
			if i > 0 {
				c.Cluster.Join = []string{bind(0)}
			}
		}})
	for _, h := range b.Hosts {
		bed.WaitFor(t, 60*time.Second, h.Name+" lists both inventories", func() (bool, error) {
			l, err := h.List()
			return err == nil && len(l) == 2*disks, fmt.Errorf("%d of %d disks (%v)", len(l), 2*disks, err)
		})
		ps, err := h.Peers()
		if err != nil || len(ps) != 1 || !slices.Equal(ps[0].Transports, []string{messages.TransportCluster}) ||
			ps[0].Disks != disks {
			t.Errorf("%s peers %+v (%v); want the other, heard on the cluster, %d disks", h.Name, ps, err, disks)
		}
	}
	if err := b.Hosts[1].KillHard(); err != nil {
		t.Fatal(err)
	}
	bed.WaitFor(t, 15*time.Second, "h1 down on h0 after kill -9", func() (bool, error) {
		st, err := b.Hosts[0].PeerState(b.Hosts[1].Name)
		return st == messages.PeerDown, fmt.Errorf("state %q (%v)", st, err)
	})
}
