package actors

import (
	"errors"
	"fmt"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// maxQueued bounds the decoded datagrams handed to MulticastServer and not
// yet handled: over it, the reader drops them as busy, so a flood costs
// bounded memory whatever the actor's pace.
const maxQueued = 4096

// reader is MulticastServer's receive goroutine. It only reads, checks
// sizes, authenticates and decodes, statelessly and under a recover that
// counts a drop, then hands each decoded datagram to the actor, which
// owns the protocol engine (actors/gossip). It keeps no protocol state, so
// a restart of the actor loses nothing of it.
type reader struct {
	d      *deps
	tr     transport.Transport
	self   *actor.PID
	drops  *dropLog
	events *eventBudget // drop events for debug sessions, its own
	queued *atomic.Int64
	auth   *authPointer // the keyring in force, swapped by the actor on reload
}

// datagramIn is one decoded datagram for MulticastServer: env, or the
// disks of a legacy datagram. queued is the reader's counter, decremented
// by whichever actor instance handles it.
type datagramIn struct {
	src    string
	env    *wire.Envelope
	legacy []messages.Disk
	queued *atomic.Int64
}

func newReader(d *deps, tr transport.Transport, self *actor.PID, drops *dropLog, queued *atomic.Int64, auth *authPointer) *reader {
	return &reader{d: d, tr: tr, self: self, drops: drops, events: newEventBudget(d.now), queued: queued, auth: auth}
}

func (r *reader) run(wg *sync.WaitGroup) {
	defer wg.Done()
	buf := make([]byte, 64*1024)
	st := r.d.stats
	for {
		n, src, truncated, err := r.tr.Receive(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil && !errors.Is(err, transport.ErrWrongDestination) {
			r.d.root.Send(r.self, &readerFailed{err: err})
			return
		}
		st.datagramsIn.Add(1)
		st.bytesIn.Add(uint64(n))
		switch {
		case err != nil:
			r.dropped(wire.DropWrongDest, src, err.Error())
			continue
		case truncated || n > max(wire.MaxDatagram, wire.MaxLegacyDatagram):
			r.dropped(wire.DropOversize, src, fmt.Sprintf("%d bytes or more", n))
			continue
		}
		m := r.decode(buf[:n], src)
		if m == nil {
			continue
		}
		if r.queued.Load() >= maxQueued {
			r.dropped(wire.DropBusy, src, "too many datagrams waiting for the multicast actor")
			continue
		}
		r.queued.Add(1)
		r.d.root.Send(r.self, m)
	}
}

// decode authenticates and decodes one datagram, or counts why not. A
// panic in the decoder drops the datagram, never the daemon.
func (r *reader) decode(b []byte, src string) (m *datagramIn) {
	defer func() {
		if p := recover(); p != nil {
			r.dropped(wire.DropDecoderPanic, src, fmt.Sprintf("%.200v", p))
			r.drops.warn("decoder panic", "from", src, "panic", fmt.Sprintf("%.200v", p), "stack", string(debug.Stack()))
			m = nil
		}
	}()
	decoderHook(b)
	auth := r.auth.Load()
	env, err := wire.DecodeDatagram(b, auth.keys)
	var de *wire.DropError
	if errors.As(err, &de) && de.Reason == wire.DropLegacy && auth.legacyOK() {
		disks, err := wire.DecodeLegacy(b)
		if err != nil {
			reason := wire.DropLegacyInvalid
			if errors.As(err, &de) {
				reason = de.Reason
			}
			r.dropped(reason, src, err.Error())
			return nil
		}
		return &datagramIn{src: src, legacy: nonNil(disks), queued: r.queued}
	}
	if err != nil {
		reason := wire.DropMalformed
		if de != nil {
			reason = de.Reason
		}
		r.dropped(reason, src, err.Error())
		return nil
	}
	return &datagramIn{src: src, env: env, queued: r.queued}
}

// dropped counts a drop, logs it rate-limited and tells debug sessions.
func (r *reader) dropped(reason, src, detail string) {
	dropped(r.d, r.drops, r.events, reason, src, detail)
}

// dropped counts a drop, logs it rate-limited and tells debug sessions
// within the events budget.
func dropped(d *deps, drops *dropLog, events *eventBudget, reason, src, detail string) {
	d.stats.drop(reason)
	drops.warn("datagram dropped", "reason", reason, "from", src, "detail", detail)
	if d.stats.subscribers.Load() > 0 && events.take() {
		d.root.Send(d.pids.info, &messages.Dropped{Reason: reason, From: src, Detail: detail})
	}
}
