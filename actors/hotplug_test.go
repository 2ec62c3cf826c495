package actors

import (
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/messages"
)

// fakeUevents stands in for the kernel's socket: Read returns what send
// gives it, and os.ErrClosed after Close.
type fakeUevents struct {
	ch   chan []byte
	quit chan struct{}
	once sync.Once
}

func newFakeUevents() *fakeUevents {
	return &fakeUevents{ch: make(chan []byte, 64), quit: make(chan struct{})}
}

func (f *fakeUevents) Read(b []byte) (int, error) {
	select {
	case m := <-f.ch:
		return copy(b, m), nil
	case <-f.quit:
		return 0, os.ErrClosed
	}
}

func (f *fakeUevents) Close() error { f.once.Do(func() { close(f.quit) }); return nil }

func uev(action, dev, subsystem string) []byte {
	return []byte(action + "@/devices/virtual/block/" + dev + "\x00ACTION=" + action + "\x00DEVPATH=/devices/virtual/block/" + dev +
		"\x00SUBSYSTEM=" + subsystem + "\x00DEVNAME=" + dev + "\x00")
}

// hotplugStatus is status's hotplug, once Hotplug has started.
func hotplugStatus(t *testing.T, dm *Daemon) *messages.HotplugStatus {
	t.Helper()
	var h *messages.HotplugStatus
	waitFor(t, "hotplug in status", func() bool {
		h = query[*messages.Status](t, dm, dm.deps.pids.info, &messages.GetStatus{}).Hotplug
		return h != nil
	})
	return h
}

// A burst of block events is one rescan, hotplug.debounce after the last
// event on the daemon's clock; other subsystems' events and garbage are
// counted, never rescanned for; the next event starts a new burst.
func TestHotplug_BurstIsOneRescan(t *testing.T) {
	src := newFakeUevents()
	clock := &fakeClock{t: time.Now()}
	dm, _ := testDaemon(t, &transport.Hub{}, "a", diskA, func(o *Options) {
		o.Config.Hotplug.Enabled = true
		o.Now, o.Ticks = clock.now, clock.ticks
		o.ListenUevents = func(int) (UeventSource, error) { return src, nil }
	})
	waitFor(t, "first scan", func() bool { return dm.deps.runIDs.Load() == 1 })
	for _, m := range [][]byte{uev("add", "sdb", "block"), uev("add", "sdb1", "block"), uev("bind", "2-1", "usb"),
		[]byte("garbage"), uev("change", "sdb", "block")} {
		src.ch <- m
	}
	settled := func(events uint64) func() bool {
		return func() bool {
			h := dm.deps.hotplug.snapshot()
			return h.Events == events && !dm.deps.hotplug.pending.Load()
		}
	}
	waitFor(t, "three block events taken", settled(3))
	h := hotplugStatus(t, dm)
	if h.State != messages.HotplugListening || h.Ignored != 1 || h.Malformed != 1 || h.Rescans != 0 || dm.deps.runIDs.Load() != 1 {
		t.Fatalf("before the debounce: got %+v, runs %d", h, dm.deps.runIDs.Load())
	}
	clock.advance(dm.deps.cfg.Hotplug.Debounce)
	waitFor(t, "one rescan", func() bool { return dm.deps.runIDs.Load() == 2 && dm.deps.hotplug.rescans.Load() == 1 })
	clock.advance(dm.deps.cfg.Hotplug.Debounce * 20)
	src.ch <- uev("remove", "sdb1", "block")
	waitFor(t, "the next event taken", settled(4))
	clock.advance(dm.deps.cfg.Hotplug.Debounce)
	waitFor(t, "a second rescan", func() bool { return dm.deps.runIDs.Load() == 3 && dm.deps.hotplug.rescans.Load() == 2 })
}

// Where the socket cannot be opened, status says so with the reason and
// the periodic scans go on.
func TestHotplug_UnavailableKeepsTheTimer(t *testing.T) {
	dm, _ := testDaemon(t, &transport.Hub{}, "a", diskA, func(o *Options) {
		o.Config.Hotplug.Enabled = true
		o.Config.Blkid.Interval = 100 * time.Millisecond
		o.ListenUevents = func(int) (UeventSource, error) { return nil, errors.New("socket: protocol not supported") }
	})
	h := hotplugStatus(t, dm)
	if h.State != messages.HotplugUnavailable || h.Error != "socket: protocol not supported" {
		t.Errorf("got %+v, want unavailable with the reason", h)
	}
	waitFor(t, "periodic scans", func() bool { return dm.deps.runIDs.Load() >= 3 })
}

// Disabled, it opens nothing and says so.
func TestHotplug_Disabled(t *testing.T) {
	var opened atomic.Bool
	dm, _ := testDaemon(t, &transport.Hub{}, "a", diskA, func(o *Options) {
		o.ListenUevents = func(int) (UeventSource, error) { opened.Store(true); return newFakeUevents(), nil }
	})
	if h := hotplugStatus(t, dm); h.State != messages.HotplugDisabled || opened.Load() {
		t.Errorf("got %+v (opened %v), want disabled", h, opened.Load())
	}
}
