package actors

import (
	"errors"
	"log/slog"
	"os"
	"sync"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/actors/uevent"
	"github.com/diskd-actors/diskd-actors/messages"
)

// Hotplug listens to the kernel's device events (NETLINK_KOBJECT_UEVENT)
// and asks DiskWatcher for a scan when block devices are added, removed or
// changed, so that a plugged-in disk is announced at once rather than at
// the next blkid.interval. A burst of events (a disk and its partitions)
// is one rescan, hotplug.debounce after the last event (at most ten times
// that after the first). Where the socket cannot be opened (no netlink in
// a container, a seccomp filter), status and the log say so and the
// periodic scans go on alone.
//
// A goroutine owned by Hotplug reads the socket; it sends at most one
// notice at a time to the mailbox (hotplugStats.pending), so a flood of events costs a
// counter, not a queue. Stopping or restarting closes the socket and waits
// for the goroutine.
type Hotplug struct {
	d    *deps
	log  *slog.Logger
	conn UeventSource
	wg   sync.WaitGroup
	deb  uevent.Debouncer
	tick *ticker // runs while a rescan is due, nil otherwise
}

// hotplugRcvbuf is the socket's receive buffer: room for thousands of
// events of a few hundred bytes, so that a burst is read, not lost.
const hotplugRcvbuf = 1 << 20

func newHotplugProps(d *deps) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		q := d.cfg.Hotplug.Debounce
		return &Hotplug{d: d, log: d.log.With("actor", "hotplug"), deb: uevent.Debouncer{Quiet: q, Max: 10 * q}}
	}, actor.WithReceiverMiddleware(logPanics(d.log)))
}

// Receive handles one message.
func (a *Hotplug) Receive(c actor.Context) {
	switch c.Message().(type) {
	case *actor.Started:
		a.start(c)
	case *actor.Restarting, *actor.Stopping:
		if a.conn != nil {
			a.conn.Close()
		}
		a.wg.Wait()
		a.stopTick()
	case *hotplugEvents:
		a.d.hotplug.pending.Store(false) // events after this send again
		a.deb.Event(a.d.now())
		if a.tick == nil {
			a.tick = newTickerFrom(a.d.ticks, a.d.root, c.Self(), a.d.cfg.Hotplug.Debounce, a.d.cfg.Hotplug.Debounce, &hotplugDue{})
		}
	case *hotplugDue:
		if a.deb.Fire(a.d.now()) {
			a.stopTick()
			a.d.hotplug.rescans.Add(1)
			c.Send(a.d.pids.diskWatcher, &messages.HotplugRescan{})
		}
	}
}

func (a *Hotplug) start(c actor.Context) {
	st := &a.d.hotplug
	if !a.d.cfg.Hotplug.Enabled {
		st.setState(messages.HotplugDisabled, "")
		return
	}
	conn, err := a.d.listenUevents(hotplugRcvbuf)
	if err != nil {
		st.setState(messages.HotplugUnavailable, err.Error())
		a.log.Warn("cannot listen to device events; new disks are found by the periodic scan only",
			"blkid_interval", a.d.cfg.Blkid.Interval, "error", err)
		return
	}
	a.conn = conn
	st.setState(messages.HotplugListening, "")
	self, root := c.Self(), a.d.root
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		a.read(conn, func() {
			if st.pending.CompareAndSwap(false, true) {
				root.Send(self, &hotplugEvents{})
			}
		})
	}()
}

// read reads events until the socket is closed, calling changed for each
// block device event (and each overflow, when events were lost).
func (a *Hotplug) read(conn UeventSource, changed func()) {
	st := &a.d.hotplug
	buf := make([]byte, uevent.MaxEvent)
	for {
		n, err := conn.Read(buf)
		switch {
		case errors.Is(err, os.ErrClosed):
			return
		case errors.Is(err, uevent.ErrOverflow):
			st.overflows.Add(1)
			changed()
			continue
		case err != nil:
			st.malformed.Add(1)
			continue
		}
		e, err := uevent.Parse(buf[:n])
		switch {
		case err != nil:
			st.malformed.Add(1)
		case e.BlockChange():
			st.events.Add(1)
			changed()
		default:
			st.ignored.Add(1)
		}
	}
}

func (a *Hotplug) stopTick() {
	if a.tick != nil {
		a.tick.stop()
		a.tick = nil
	}
}

// hotplugEvents says block device events arrived since the last notice.
type hotplugEvents struct{}

// hotplugDue is the debounce timer's tick.
type hotplugDue struct{}

// UeventSource is the kernel's uevent socket (uevent.Conn), or a test's
// stand-in: Read returns os.ErrClosed once Close was called.
type UeventSource interface {
	Read(b []byte) (int, error)
	Close() error
}

// defaultListenUevents opens the kernel's uevent socket.
func defaultListenUevents(rcvbuf int) (UeventSource, error) { return uevent.Listen(rcvbuf) }
