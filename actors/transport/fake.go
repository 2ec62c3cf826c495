package transport

import (
	"net"
	"sync"
)

// Hub is an in-memory broadcast medium: every datagram sent by one
// endpoint reaches every endpoint, the sender included, as multicast on lo
// does. It lets actor tests run without sockets.
type Hub struct {
	mu   sync.Mutex
	ends []*HubEnd
}

type HubEnd struct {
	h      *Hub
	addr   string
	in     chan datagram
	closed chan struct{}
	once   sync.Once
}

func (h *Hub) Transport(addr string) func() (Transport, error) {
	return func() (Transport, error) {
		e := &HubEnd{h: h, addr: addr, in: make(chan datagram, 1024), closed: make(chan struct{})}
		h.mu.Lock()
		h.ends = append(h.ends, e)
		h.mu.Unlock()
		return e, nil
	}
}

// datagram is one delivery, with its sender's address.
type datagram struct {
	b   []byte
	src string
}

// inject delivers a datagram to every endpoint, as a stranger would.
func (h *Hub) Inject(b []byte) { h.Deliver(b, "fake:stranger") }

func (h *Hub) Deliver(b []byte, src string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range h.ends {
		select {
		case e.in <- datagram{append([]byte(nil), b...), src}:
		case <-e.closed:
		}
	}
}

func (e *HubEnd) Receive(buf []byte) (int, string, bool, error) {
	select {
	case d := <-e.in:
		n := copy(buf, d.b)
		return n, d.src, n < len(d.b), nil
	case <-e.closed:
		return 0, "", false, net.ErrClosed
	}
}

func (e *HubEnd) Send(b []byte) error {
	e.h.Deliver(b, "fake:"+e.addr)
	return nil
}

func (e *HubEnd) Close() error {
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
