package actors

import (
	"bytes"
	"encoding/base64"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/hashicorp/memberlist"

	"github.com/diskd-actors/diskd-actors/actors/cluster"
	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// Two daemons on hubs of their own (no multicast between them) and a
// keyed cluster on 127.0.0.1: each holds the other's disk, heard on the
// cluster; reloads rotate the keys in memberlist's keyring without
// breaking the cluster; stopping leaves no goroutine behind (goleak in
// TestMain).
func TestCluster_TwoDaemonsAndRekey(t *testing.T) {
	key1 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	key2 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32))
	p0, p1 := bed.FreeTCPUDPPort(t), bed.FreeTCPUDPPort(t)
	with := func(port int, join ...int) func(*Options) {
		return func(o *Options) {
			o.Config.Auth.Keys = []string{key1}
			o.Config.Cluster = config.Cluster{Enabled: true, Bind: "127.0.0.1:" + strconv.Itoa(port), Profile: "local"}
			for _, j := range join {
				o.Config.Cluster.Join = append(o.Config.Cluster.Join, "127.0.0.1:"+strconv.Itoa(j))
			}
		}
	}
	a, blkidA := testDaemon(t, &transport.Hub{}, "a", diskA, with(p0))
	b, _ := testDaemon(t, &transport.Hub{}, "b", diskB, with(p1, p0))
	for _, dm := range []*Daemon{a, b} {
		waitFor(t, dm.id.Node+" knows both disks", func() bool { return len(inventory(t, dm)) == 2 })
	}
	peers := query[*messages.Peers](t, b, b.deps.pids.info, &messages.GetPeers{}).Peers
	if len(peers) != 1 || peers[0].Node != "a" || !slices.Equal(peers[0].Transports, []string{messages.TransportCluster}) {
		t.Fatalf("b's peers: %+v, want a heard on the cluster", peers)
	}
	st := query[*messages.Status](t, a, a.deps.pids.info, &messages.GetStatus{})
	if st.Cluster == nil || !st.Cluster.Encrypted || st.Cluster.Members != 2 {
		t.Fatalf("a's status.cluster: %+v", st.Cluster)
	}

	k1, _ := base64.StdEncoding.DecodeString(key1)
	k2, _ := base64.StdEncoding.DecodeString(key2)
	reload := func(dm *Daemon, keys ...string) {
		t.Helper()
		next := *dm.cfg
		next.Auth.Keys = keys
		if _, _, err := dm.Reload(&next); err != nil {
			t.Fatal(err)
		}
	}
	primary := func(dm *Daemon, k []byte, n int) func() bool {
		return func() bool {
			kr := dm.clusterKeyring()
			return kr != nil && bytes.Equal(kr.GetPrimaryKey(), cluster.DeriveKey(k)) && len(kr.GetKeys()) == n
		}
	}
	// Rotation as operations.md says: the new key second everywhere, then
	// first everywhere; the cluster stays whole at every step.
	reload(a, key1, key2)
	reload(b, key1, key2)
	waitFor(t, "a holds both keys, key1 primary", primary(a, k1, 2))
	waitFor(t, "b holds both keys, key1 primary", primary(b, k1, 2))
	reload(a, key2, key1)
	waitFor(t, "a encrypts with key2", primary(a, k2, 2))
	// a's next change reaches b encrypted with key2.
	if err := os.WriteFile(blkidA, []byte(diskA+"\nDEVNAME=/dev/sdc1\nLABEL=gamma\nTYPE=vfat\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	query[*messages.RescanDone](t, a, a.deps.pids.diskWatcher, &messages.Rescan{})
	waitFor(t, "b sees a's new disk", func() bool { return len(inventory(t, b)) == 3 })
	reload(b, key2, key1)
	waitFor(t, "b encrypts with key2", primary(b, k2, 2))
	reload(a, key2)
	waitFor(t, "a dropped key1", primary(a, k2, 1))
	for _, dm := range []*Daemon{a, b} {
		st := query[*messages.Status](t, dm, dm.deps.pids.info, &messages.GetStatus{})
		if st.Cluster == nil || st.Cluster.Members != 2 {
			t.Errorf("%s's status.cluster after rotation: %+v", dm.id.Node, st.Cluster)
		}
	}
}

// clusterKeyring is memberlist's keyring of the running ClusterServer.
func (dm *Daemon) clusterKeyring() *memberlist.Keyring { return dm.deps.cluster.keyring.Load() }
