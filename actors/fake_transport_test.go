package actors

import (
	"net"
	"sync"
)

// hub is an in-memory broadcast medium: every datagram sent by one
// endpoint reaches every endpoint, the sender included, as multicast on lo
// does. It lets actor tests run without sockets.
type hub struct {
	mu   sync.Mutex
	ends []*hubEnd
}

type hubEnd struct {
	h      *hub
	addr   string
	in     chan []byte
	closed chan struct{}
	once   sync.Once
}

func (h *hub) transport(addr string) func() (Transport, error) {
	return func() (Transport, error) {
		e := &hubEnd{h: h, addr: addr, in: make(chan []byte, 1024), closed: make(chan struct{})}
		h.mu.Lock()
		h.ends = append(h.ends, e)
		h.mu.Unlock()
		return e, nil
	}
}

// inject delivers a datagram to every endpoint, as a stranger would.
func (h *hub) inject(b []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range h.ends {
		select {
		case e.in <- append([]byte(nil), b...):
		case <-e.closed:
		}
	}
}

func (e *hubEnd) Receive(buf []byte) (int, string, bool, error) {
	select {
	case b := <-e.in:
		n := copy(buf, b)
		return n, "fake:" + e.addr, n < len(b), nil
	case <-e.closed:
		return 0, "", false, net.ErrClosed
	}
}

func (e *hubEnd) Send(b []byte) error {
	e.h.inject(b)
	return nil
}

func (e *hubEnd) Close() error {
	e.once.Do(func() { close(e.closed) })
	e.h.mu.Lock()
	defer e.h.mu.Unlock()
	for i, x := range e.h.ends {
		if x == e {
			e.h.ends = append(e.h.ends[:i], e.h.ends[i+1:]...)
			break
		}
	}
	return nil
}
