package web

import (
	"sync"

	"github.com/diskd-actors/diskd-actors/messages"
)

// hub fans the daemon's events out to the /events streams. Publish never
// waits: a stream whose queue is full is dropped (its page reconnects and
// reloads what it shows), so a slow browser costs the daemon nothing.
type hub struct {
	mu      sync.Mutex
	streams map[*stream]struct{}
	closed  bool
	max, qn int
	ctr     *Counters
}

// stream is one /events client's queue; ch is closed when the stream is
// dropped or the hub closes.
type stream struct {
	ch chan *messages.Event
}

func newHub(max, queue int, ctr *Counters) *hub {
	return &hub{streams: map[*stream]struct{}{}, max: max, qn: queue, ctr: ctr}
}

// join adds a stream, or refuses (nil) at the limit or once closed.
func (h *hub) join() *stream {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || len(h.streams) >= h.max {
		h.ctr.StreamsRefused.Add(1)
		return nil
	}
	s := &stream{ch: make(chan *messages.Event, h.qn)}
	h.streams[s] = struct{}{}
	h.ctr.Streams.Store(int64(len(h.streams)))
	return s
}

// leave removes a stream (its handler returned).
func (h *hub) leave(s *stream) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.streams[s]; ok {
		delete(h.streams, s)
		close(s.ch)
	}
	h.ctr.Streams.Store(int64(len(h.streams)))
}

// publish queues ev on every stream, dropping those that are full.
func (h *hub) publish(ev *messages.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.streams {
		select {
		case s.ch <- ev:
		default:
			delete(h.streams, s)
			close(s.ch)
			h.ctr.SlowStreams.Add(1)
		}
	}
	h.ctr.Streams.Store(int64(len(h.streams)))
}

// close ends every stream and refuses new ones.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for s := range h.streams {
		delete(h.streams, s)
		close(s.ch)
	}
	h.ctr.Streams.Store(0)
}
