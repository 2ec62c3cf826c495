package actors

import (
	"errors"
	"fmt"
	"net"
	"runtime/debug"
	"sync"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/actors/gossip"
	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// reader is MulticastServer's receive goroutine. It only reads, checks
// sizes and the source's rate (gossip.SourceFilter, before anything
// costly), authenticates and decodes, statelessly and under a recover that
// counts a drop, then hands each decoded datagram to the actor, which
// owns the protocol engine (actors/gossip). It keeps no protocol state, so
// a restart of the actor loses nothing of it.
type reader struct {
	d      *deps
	tr     transport.Transport
	self   *actor.PID
	drops  *dropLog
	events *eventBudget // drop events for debug sessions, its own
	queued *inflow
	auth   *authPointer  // the keyring in force, swapped by the actor on reload
	dec    *wire.Decoder // its own: a Decoder keeps per-key HMAC state
	decFor *authState    // the keyring dec was made for; a reload makes a new one
	filter *gossip.SourceFilter
}

// datagramIn is one decoded datagram for MulticastServer: env, or the
// disks of a legacy datagram.
type datagramIn struct {
	src    string
	env    *wire.Envelope
	legacy []messages.Disk
}

// datagramBatch is the decoded datagrams of one read, in the order they
// came, handed to MulticastServer in one message. queued is the reader's
// count, settled by whichever actor instance handles it.
type datagramBatch struct {
	ins    []datagramIn
	queued *inflow
}

// kind is the datagram's kind for the traffic counters.
func (m *datagramIn) kind() string {
	if m.env == nil {
		return kindLegacy
	}
	return m.env.Kind
}

func newReader(d *deps, tr transport.Transport, self *actor.PID, drops *dropLog, queued *inflow, auth *authPointer) *reader {
	return &reader{d: d, tr: tr, self: self, drops: drops, events: newEventBudget(d.now), queued: queued, auth: auth,
		filter: gossip.NewSourceFilter(gossip.Config{})}
}

// readBuffer holds one datagram: larger than any valid one, so that a
// datagram that fills it is oversize.
const readBuffer = 2048

func (r *reader) run(wg *sync.WaitGroup) {
	defer wg.Done()
	ds := make([]transport.Datagram, readBatch)
	for i := range ds {
		ds[i].Buf = make([]byte, readBuffer)
	}
	br, batched := r.tr.(transport.BatchReceiver)
	for {
		room := r.queued.space()
		if room == 0 {
			return // the actor is releasing the transport
		}
		var n int
		var err error
		if batched {
			n, err = br.ReceiveBatch(ds[:room])
		} else {
			n, err = r.receiveOne(&ds[0])
		}
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			r.d.root.Send(r.self, &readerFailed{err: err})
			return
		}
		var ins []datagramIn
		for i := range ds[:n] {
			if m, ok := r.take(&ds[i]); ok {
				if ins == nil {
					ins = make([]datagramIn, 0, n-i)
				}
				ins = append(ins, m)
			}
		}
		if len(ins) > 0 {
			r.queued.handed(len(ins))
			r.d.root.Send(r.self, &datagramBatch{ins: ins, queued: r.queued})
		}
	}
}

// receiveOne reads one datagram through Receive, for transports without
// batches (the in-memory Hub).
func (r *reader) receiveOne(d *transport.Datagram) (int, error) {
	n, src, truncated, err := r.tr.Receive(d.Buf)
	d.N, d.Src, d.Truncated, d.Err = n, src, truncated, nil
	if errors.Is(err, transport.ErrWrongDestination) {
		d.Err, err = err, nil
	}
	if err != nil {
		return 0, err
	}
	return 1, nil
}

// take checks, filters and decodes one datagram read, counting it; false
// when it was dropped.
func (r *reader) take(dg *transport.Datagram) (datagramIn, bool) {
	st := r.d.stats
	n, src := dg.N, dg.Src
	st.datagramsIn.Add(1)
	st.bytesIn.Add(uint64(n))
	switch {
	case dg.Err != nil:
		st.kinds.add(kindUndecoded, true, n)
		r.dropped(wire.DropWrongDest, src, dg.Err.Error())
		return datagramIn{}, false
	case dg.Truncated || n > max(wire.MaxDatagram, wire.MaxLegacyDatagram):
		st.kinds.add(kindUndecoded, true, n)
		r.dropped(wire.DropOversize, src, fmt.Sprintf("%d bytes or more", n))
		return datagramIn{}, false
	}
	if !r.filter.Allow(src, r.d.now()) {
		// Far past its rate limit: counted, as the engine counts its
		// own refusals, and never authenticated or decoded.
		st.drop(wire.DropRate)
		st.filterRefused.Add(1)
		return datagramIn{}, false
	}
	st.filterSources.Store(int64(r.filter.Stats().Sources))
	m, ok := r.decode(dg.Buf[:n], src)
	if !ok {
		st.kinds.add(kindUndecoded, true, n)
		return datagramIn{}, false
	}
	st.kinds.add(m.kind(), true, n)
	return m, true
}

// decode authenticates and decodes one datagram, or counts why not. A
// panic in the decoder drops the datagram, never the daemon.
func (r *reader) decode(b []byte, src string) (m datagramIn, ok bool) {
	defer func() {
		if p := recover(); p != nil {
			r.dropped(wire.DropDecoderPanic, src, fmt.Sprintf("%.200v", p))
			r.drops.warn("decoder panic", "from", src, "panic", fmt.Sprintf("%.200v", p), "stack", string(debug.Stack()))
			m, ok = datagramIn{}, false
		}
	}()
	decoderHook(b)
	auth := r.auth.Load()
	if r.dec == nil || r.decFor != auth {
		r.dec, r.decFor = wire.NewDecoder(auth.keys), auth
	}
	env, err := r.dec.Decode(b)
	var de *wire.DropError
	if errors.As(err, &de) && de.Reason == wire.DropLegacy && auth.legacyOK() {
		disks, err := wire.DecodeLegacy(b)
		if err != nil {
			reason := wire.DropLegacyInvalid
			if errors.As(err, &de) {
				reason = de.Reason
			}
			r.dropped(reason, src, err.Error())
			return datagramIn{}, false
		}
		return datagramIn{src: src, legacy: nonNil(disks)}, true
	}
	if err != nil {
		reason := wire.DropMalformed
		if de != nil {
			reason = de.Reason
		}
		r.dropped(reason, src, err.Error())
		return datagramIn{}, false
	}
	return datagramIn{src: src, env: env}, true
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
