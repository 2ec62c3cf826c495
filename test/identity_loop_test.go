package test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// realBlkid makes host 0 scan this machine's devices with the daemon's
// default blkid command, identity roots and hotplug; the other hosts keep
// the bed's fake blkid.
func realBlkid(h int, c *config.Config) {
	if h == 0 {
		d := config.Default()
		c.Blkid.Command, c.Identity, c.Hotplug = d.Blkid.Command, d.Identity, d.Hotplug
	}
}

// peerDisk is the disk labelled label that h lists on node, if any.
func peerDisk(t testing.TB, h *bed.Host, node, label string) (messages.NodeDisk, bool) {
	t.Helper()
	var list []messages.NodeDisk
	if err := h.QueryJSON("list", &list); err != nil {
		t.Fatal(err)
	}
	for _, d := range list {
		if d.Node == node && d.Label == label {
			return d, true
		}
	}
	return messages.NodeDisk{}, false
}

// As root: a real loop device with an ext4 label, attached while two
// daemons run on lo with a 10-minute blkid interval, is listed by the peer
// within seconds (the kernel's uevent starts the scan) with transport loop
// and its size; detaching it removes it, and where answers "last seen".
func TestIdentity_LoopDeviceHotplug(t *testing.T) {
	if reason := bed.LoopUnavailable(); reason != "" {
		t.Skip("SKIP: real loop devices: " + reason)
	}
	label := fmt.Sprintf("idt%d", os.Getpid()%100000)
	image, uuid := bed.Ext4Image(t, label)
	b := bed.New(t, bed.Options{Hosts: 2, Announce: 250 * time.Millisecond, PeerTimeout: 2 * time.Second,
		BlkidInterval: 10 * time.Minute, Configure: realBlkid})
	a, peer := b.Hosts[0], b.Hosts[1]
	lastSeenPoll(t, 20*time.Second, "the peer hears host 0", func() bool {
		s, err := peer.PeerState(a.Name)
		return err == nil && s == messages.PeerAlive
	})
	var st messages.Status
	if err := a.QueryJSON("status", &st); err != nil {
		t.Fatal(err)
	}
	if st.Hotplug == nil || st.Hotplug.State != messages.HotplugListening {
		t.Fatalf("host 0's hotplug: %+v, want listening", st.Hotplug)
	}

	dev := bed.AttachLoop(t, image)
	var d messages.NodeDisk
	lastSeenPoll(t, 10*time.Second, "the peer lists the attached filesystem", func() bool {
		var ok bool
		d, ok = peerDisk(t, peer, a.Name, label)
		return ok
	})
	if d.UUID != uuid || d.Device != dev || d.Transport != "loop" || d.Size != bed.LoopImageSize || d.WholeDisk != dev || d.Type != "ext4" {
		t.Errorf("the peer lists %+v; want %s on %s, transport loop, size %d", d, uuid, dev, bed.LoopImageSize)
	}

	bed.DetachLoop(t, dev, image)
	lastSeenPoll(t, 10*time.Second, "the peer drops the detached filesystem", func() bool {
		_, ok := peerDisk(t, peer, a.Name, label)
		return !ok
	})
	ans, err := peer.Query("where " + label)
	if err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(ans.Lines, "\n"); ans.Summary() != "last seen on "+a.Name || !strings.Contains(text, "last seen on "+a.Name) {
		t.Errorf("where %s: %s\n%s; want last seen on %s", label, ans.Status, text, a.Name)
	}
}
