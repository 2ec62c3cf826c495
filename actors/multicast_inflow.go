package actors

import (
	"sync/atomic"

	"github.com/diskd-actors/diskd-actors/actors/transport"
)

// maxQueued bounds the decoded datagrams handed to MulticastServer and not
// yet handled. At the bound the reader stops reading until the actor has
// handled half of them: the datagrams then wait in the socket's buffer, and
// what overflows it the kernel drops (counted as socket_drops), before any
// work was spent on them. Dropping decoded datagrams instead (as busy)
// wasted the decoding, and collapsed the applied rate under a flood.
const maxQueued = 4096

// readBatch is the most datagrams read in one call (recvmmsg) and handed
// to the actor in one message.
const readBatch = 64

// inflow counts the datagrams the reader handed to MulticastServer and
// not yet handled, and holds the reader back at maxQueued. One per reader:
// a restarted actor makes a new one, and still settles the old one's count
// for the batches left in its mailbox.
type inflow struct {
	n       atomic.Int64
	pauses  atomic.Uint64 // times the reader waited for room
	batches atomic.Uint64 // messages handed over, each of 1 to readBatch datagrams
	room    chan struct{} // a token: the actor made room
	stop    chan struct{} // closed when the reader must end, waiting or not
}

func newInflow() *inflow {
	return &inflow{room: make(chan struct{}, 1), stop: make(chan struct{})}
}

// Load returns the datagrams handed over and not yet handled.
func (q *inflow) Load() int64 { return q.n.Load() }

// space waits until fewer than maxQueued datagrams wait, then returns how
// many more may be handed over (at most readBatch); 0 once the reader must
// stop.
func (q *inflow) space() int {
	if q.n.Load() >= maxQueued {
		q.pauses.Add(1)
		for q.n.Load() > maxQueued/2 {
			select {
			case <-q.room:
			case <-q.stop:
				return 0
			}
		}
	}
	select {
	case <-q.stop:
		return 0
	default:
	}
	return int(min(readBatch, maxQueued-q.n.Load()))
}

// handed counts k datagrams handed to the actor in one message.
func (q *inflow) handed(k int) {
	q.n.Add(int64(k))
	q.batches.Add(1)
}

// done counts k datagrams handled, and wakes a waiting reader once half
// the queue is free.
func (q *inflow) done(k int) {
	if q.n.Add(-int64(k)) <= maxQueued/2 {
		select {
		case q.room <- struct{}{}:
		default:
		}
	}
}

// close ends the reader's wait for good.
func (q *inflow) close() {
	select {
	case <-q.stop:
	default:
		close(q.stop)
	}
}

// socketStats reads the receiving socket's buffer and drops, when the
// transport reports them; a failure leaves them out of status.
func (a *MulticastServer) socketStats() transport.SocketStats {
	r, ok := a.tr.(transport.SocketReporter)
	if !ok {
		return transport.SocketStats{}
	}
	st, err := r.ReceiveSocket()
	if err != nil {
		return transport.SocketStats{}
	}
	return st
}
