package bench

import (
	"fmt"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// TestBenchHotplug measures plug-in-to-visibility: a loop device holding an
// ext4 filesystem is attached (losetup) on host A, whose daemon runs the
// real blkid with blkid.interval at 10 minutes, so only the kernel's
// uevent (debounced, hotplug.debounce) starts the scan; host B is asked
// `where LABEL` every millisecond until it answers "on A". Then the device
// is detached and B is polled until it no longer lists it. Images are
// made before the clock starts. Target: p99 < 1 s (before hotplug: up to
// the interval). Root only.
func TestBenchHotplug(t *testing.T) {
	sc := sizes(t)
	if reason := bed.LoopUnavailable(); reason != "" {
		t.Skip("SKIP: benchmark of real loop devices: " + reason)
	}
	const interval = 10 * time.Minute
	b := bed.New(t, bed.Options{Hosts: 2, Announce: time.Second, PeerTimeout: 5 * time.Second, BlkidInterval: interval,
		Configure: func(h int, c *config.Config) {
			if h == 0 {
				d := config.Default()
				c.Blkid.Command, c.Identity, c.Hotplug = d.Blkid.Command, d.Identity, d.Hotplug
			}
		}})
	a, peer := b.Hosts[0], b.Hosts[1]
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if s, err := peer.PeerState(a.Name); err == nil && s == "alive" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not hear %s within 30s", peer.Name, a.Name)
		}
	}
	conn := dialAll(t, b)[1]
	type image struct{ path, label string }
	images := make([]image, sc.hotplugAttachments)
	for i := range images {
		images[i].label = fmt.Sprintf("hpb%d-%d", i, time.Now().UnixNano()%1e6)
		images[i].path, _ = bed.Ext4Image(t, images[i].label)
	}
	// listed waits until the peer's answer to where label says "on A"
	// (want true) or no longer does (want false).
	listed := func(label string, want bool, since time.Time) {
		for {
			ans, err := conn.Do("where " + label)
			if err != nil {
				t.Fatalf("where on %s: %v", peer.Name, err)
			}
			if (ans.Summary() == "on "+a.Name) == want {
				return
			}
			if time.Since(since) > 10*time.Second {
				t.Fatalf("%s: %s answers %q 10s after losetup, want listed=%v\n%s", label, peer.Name, ans.Status, want, a.LogTail(10))
			}
			time.Sleep(time.Millisecond)
		}
	}
	var attach, gone []time.Duration
	for _, im := range images {
		start := time.Now()
		dev := bed.AttachLoop(t, im.path)
		listed(im.label, true, start)
		attach = append(attach, time.Since(start))
		start = time.Now()
		bed.DetachLoop(t, dev, im.path)
		listed(im.label, false, start)
		gone = append(gone, time.Since(start))
	}
	s, g := Summarize(attach), Summarize(gone)
	report(t, sc, "hotplug",
		fmt.Sprintf("hosts=2 attachments=%d blkid.interval=%v hotplug.debounce=%v announce=1s poll=1ms", len(attach), interval, config.DefaultHotplugDebounce),
		[]figure{
			{"losetup attach until B lists it", s.String(), verdict("p99 < 1s", s.P99 < time.Second)},
			{"losetup -d until B drops it", g.String(), ""},
		})
}
