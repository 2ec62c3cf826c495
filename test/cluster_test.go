package test

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// clusterKey is a keyring key for these tests: 32 bytes of seed.
func clusterKey(seed byte) string {
	b := make([]byte, 32)
	for i := range b {
		b[i] = seed + byte(i)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// clusterSetup is one daemon's cluster section: bound to its own port on
// 127.0.0.1, joining host 0, profile local. Each daemon gets its own
// multicast port unless shareMulticast, so that only the cluster connects
// them.
type clusterSetup struct {
	ports          []int
	mports         []int
	shareMulticast bool
	keys           func(i int) []string
	label          func(i int) string
}

func newClusterSetup(t *testing.T, n int) *clusterSetup {
	s := &clusterSetup{}
	for range n {
		s.ports = append(s.ports, bed.FreeTCPUDPPort(t))
		p, err := bed.FreeUDPPort()
		if err != nil {
			t.Fatal(err)
		}
		s.mports = append(s.mports, p)
	}
	return s
}

func (s *clusterSetup) configure(i int, c *config.Config) {
	if !s.shareMulticast {
		c.Multicast.Port = s.mports[i]
	}
	c.Cluster = config.Cluster{Enabled: true, Bind: "127.0.0.1:" + strconv.Itoa(s.ports[i]), Profile: "local"}
	if i > 0 {
		c.Cluster.Join = []string{"127.0.0.1:" + strconv.Itoa(s.ports[0])}
	}
	if s.keys != nil {
		c.Auth.Keys = s.keys(i)
	}
	if s.label != nil {
		c.Cluster.Label = s.label(i)
	}
}

func peerNamed(ps []messages.Peer, node string) *messages.Peer {
	for i := range ps {
		if ps[i].Node == node {
			return &ps[i]
		}
	}
	return nil
}

// Three keyed cluster daemons that cannot hear each other's multicast list
// each other's disks, heard on the cluster alone; kill -9 of one is down
// within memberlist's local-profile failure detection (peer.timeout is a
// minute: only the cluster can tell), a clean stop is down at once, as a
// goodbye.
func TestCluster_DaemonsListEachOtherKillAndStop(t *testing.T) {
	t.Parallel()
	s := newClusterSetup(t, 3)
	key := clusterKey(1)
	s.keys = func(int) []string { return []string{key} }
	b := bed.New(t, bed.Options{Hosts: 3, PeerTimeout: time.Minute, Configure: s.configure})
	want := b.TotalDisks()
	for _, h := range b.Hosts {
		bed.WaitFor(t, 20*time.Second, h.Name+" lists every disk", func() (bool, error) {
			l, err := h.List()
			return err == nil && len(l) == want, fmt.Errorf("%d of %d disks (%v)", len(l), want, err)
		})
	}
	ps, err := b.Hosts[0].Peers()
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range b.Hosts[1:] {
		p := peerNamed(ps, h.Name)
		if p == nil || !slices.Equal(p.Transports, []string{messages.TransportCluster}) || p.State != messages.PeerAlive {
			t.Errorf("%s as h0 sees it: %+v; want alive, transports [cluster]", h.Name, p)
		}
	}
	bed.WaitFor(t, 5*time.Second, "h0's status shows 3 members, encrypted", func() (bool, error) {
		st, err := b.Hosts[0].Status()
		return err == nil && st.Cluster != nil && st.Cluster.Encrypted && st.Cluster.Members == 3 && st.Cluster.Received == 2 && st.Cluster.BytesOut > 0,
			fmt.Errorf("status.cluster %+v (%v)", st.Cluster, err)
	})

	killed, stopped := b.Hosts[1], b.Hosts[2]
	if err := killed.KillHard(); err != nil {
		t.Fatal(err)
	}
	at := time.Now()
	// memberlist's local profile: probe every 1 s, suspicion 3 × log10(n)
	// probe intervals, up to 6 times that; 15 s bounds it for 3 nodes.
	bed.WaitFor(t, 15*time.Second, killed.Name+" down after kill -9", func() (bool, error) {
		st, err := b.Hosts[0].PeerState(killed.Name)
		return st == messages.PeerDown, fmt.Errorf("state %q (%v)", st, err)
	})
	t.Logf("kill -9 → down on h0 in %v (peer.timeout 1m)", time.Since(at).Round(time.Millisecond))

	if err := stopped.Stop(); err != nil {
		t.Fatal(err)
	}
	// A goodbye is seen at once: well before any failure detection.
	bed.WaitFor(t, 3*time.Second, stopped.Name+" left after a clean stop", func() (bool, error) {
		ps, err := b.Hosts[0].Peers()
		p := peerNamed(ps, stopped.Name)
		return p != nil && p.Left && p.State == messages.PeerDown, fmt.Errorf("%+v (%v)", p, err)
	})
}

// A daemon with another key, and one with the right key but another label,
// try to join a keyed cluster: neither is admitted, neither learns a
// thing, though each has tried its seed several times.
func TestCluster_OtherKeyOrLabelNotAdmitted(t *testing.T) {
	t.Parallel()
	s := newClusterSetup(t, 3)
	s.keys = func(i int) []string {
		if i == 1 {
			return []string{clusterKey(99)}
		}
		return []string{clusterKey(1)}
	}
	s.label = func(i int) string {
		if i == 2 {
			return "other"
		}
		return "home"
	}
	b := bed.New(t, bed.Options{Hosts: 3, Configure: s.configure})
	for _, h := range b.Hosts[1:] {
		bed.WaitFor(t, 20*time.Second, h.Name+" tried to join three times", func() (bool, error) {
			st, err := h.Status()
			return err == nil && st.Cluster != nil && st.Cluster.JoinTries >= 3, fmt.Errorf("%+v (%v)", st, err)
		})
	}
	for _, h := range b.Hosts {
		ps, err := h.Peers()
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 0 {
			t.Errorf("%s knows peers %+v; want none", h.Name, ps)
		}
		st, err := h.Status()
		if err != nil || st.Cluster == nil || st.Cluster.Members != 1 || (h != b.Hosts[0] && st.Cluster.Joined) {
			t.Errorf("%s status.cluster %+v (%v); want alone, not joined", h.Name, st.Cluster, err)
		}
	}
	if log := b.Hosts[0].Log(); strings.Contains(log, "panic") {
		t.Errorf("h0 log: %s", log)
	}
}

// Multicast and cluster at once: each daemon is one peer, heard on both.
func TestCluster_BothTransportsOnePeer(t *testing.T) {
	t.Parallel()
	s := newClusterSetup(t, 2)
	s.shareMulticast = true
	b := bed.New(t, bed.Options{Hosts: 2, Configure: s.configure})
	for _, h := range b.Hosts {
		other := b.Hosts[0]
		if h == other {
			other = b.Hosts[1]
		}
		bed.WaitFor(t, 20*time.Second, h.Name+" hears "+other.Name+" on both transports", func() (bool, error) {
			ps, err := h.Peers()
			p := peerNamed(ps, other.Name)
			return err == nil && len(ps) == 1 && p != nil &&
					slices.Equal(p.Transports, []string{messages.TransportCluster, messages.TransportMulticast}),
				fmt.Errorf("peers %+v (%v)", ps, err)
		})
		l, err := h.List()
		if err != nil || len(l) != b.TotalDisks() {
			t.Errorf("%s lists %d disks (%v), want %d", h.Name, len(l), err, b.TotalDisks())
		}
	}
}
