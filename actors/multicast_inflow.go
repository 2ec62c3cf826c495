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

// While Info has infoHigh announcements waiting, the reader stops reading
// too, until Info is down to infoLow: the datagrams the multicast actor
// still holds (at most maxQueued) then fit under maxInfoQueue, so a flood
// of valid datagrams is not decoded, assembled and then dropped as busy
// on the way to Info.
const (
	infoHigh = maxInfoQueue / 2
	infoLow  = maxInfoQueue / 4
)

// readBatch is the most datagrams read in one call (recvmmsg) and handed
// to the actor in one message.
const readBatch = 64

// inflow counts the datagrams the reader handed to MulticastServer and
// not yet handled, and holds the reader back at maxQueued. One per reader:
// a restarted actor makes a new one, and still settles the old one's count
// for the batches left in its mailbox.
type inflow struct {
	st      *stats // Info's queue
	n       atomic.Int64
	pauses  atomic.Uint64 // times the reader waited for room
	batches atomic.Uint64 // messages handed over, each of 1 to readBatch datagrams
	room    chan struct{} // a token: the actor made room
	stop    chan struct{} // closed when the reader must end, waiting or not
}

func newInflow(st *stats) *inflow {
	return &inflow{st: st, room: make(chan struct{}, 1), stop: make(chan struct{})}
}

// Load returns the datagrams handed over and not yet handled.
func (q *inflow) Load() int64 { return q.n.Load() }

// space waits until fewer than maxQueued datagrams wait and Info is below
// infoHigh, then returns how many more may be handed over (at most
// readBatch); 0 once the reader must stop.
func (q *inflow) space() int {
	if q.n.Load() >= maxQueued && !q.wait(&q.n, maxQueued/2, q.room) {
		return 0
	}
	if q.st.infoQueue.Load() >= infoHigh && !q.wait(&q.st.infoQueue, infoLow, q.st.infoRoom) {
		return 0
	}
	select {
	case <-q.stop:
		return 0
	default:
	}
	return int(min(readBatch, maxQueued-q.n.Load()))
}

// wait counts a pause and waits until n is down to low, woken by room;
// false when the reader must stop.
func (q *inflow) wait(n *atomic.Int64, low int64, room <-chan struct{}) bool {
	q.pauses.Add(1)
	for n.Load() > low {
		select {
		case <-room:
		case <-q.stop:
			return false
		}
	}
	return true
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

// infoHandled counts an announcement Info has handled, and wakes a reader
// waiting for Info once its queue is down to infoLow.
func (s *stats) infoHandled() {
	if s.infoQueue.Add(-1) <= infoLow {
		select {
		case s.infoRoom <- struct{}{}:
		default:
		}
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
