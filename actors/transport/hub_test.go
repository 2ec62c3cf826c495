package transport

import (
	"errors"
	"fmt"
	"net"
	"testing"
)

func open(t *testing.T, h *Hub, addr string) Transport {
	t.Helper()
	tr, err := h.Transport(addr)()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

type got struct {
	data      string
	src       string
	truncated bool
}

func recv(t *testing.T, tr Transport, size int) got {
	t.Helper()
	buf := make([]byte, size)
	n, src, trunc, err := tr.Receive(buf)
	if err != nil {
		t.Fatalf("Receive: %v", err)
	}
	return got{string(buf[:n]), src, trunc}
}

// Like multicast on lo, every endpoint gets every datagram, the sender's
// own included, with the sender's address.
func TestHub_everyEndpointGetsEveryDatagram(t *testing.T) {
	var h Hub
	a, b, c := open(t, &h, "a"), open(t, &h, "b"), open(t, &h, "c")
	if err := b.Send([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	for name, tr := range map[string]Transport{"a": a, "b (the sender)": b, "c": c} {
		t.Run(name, func(t *testing.T) {
			want := got{"hello", "fake:b", false}
			if g := recv(t, tr, 64); g != want {
				t.Errorf("got %+v, want %+v", g, want)
			}
		})
	}
}

func TestHub_orderPerSenderKept(t *testing.T) {
	var h Hub
	a, b := open(t, &h, "a"), open(t, &h, "b")
	for i := range 5 {
		if err := a.Send(fmt.Appendf(nil, "%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		if g, want := recv(t, b, 8).data, fmt.Sprint(i); g != want {
			t.Errorf("datagram %d: got %v, want %v", i, g, want)
		}
	}
}

func TestHub_injectComesFromAStranger(t *testing.T) {
	var h Hub
	a := open(t, &h, "a")
	h.Inject([]byte("forged"))
	if g, want := recv(t, a, 64), (got{"forged", "fake:stranger", false}); g != want {
		t.Errorf("got %+v, want %+v", g, want)
	}
	h.Deliver([]byte("x"), "198.18.0.7:32003")
	if g := recv(t, a, 64); g.src != "198.18.0.7:32003" {
		t.Errorf("got src %v, want %v", g.src, "198.18.0.7:32003")
	}
}

// A datagram larger than the buffer is cut to it and says so, as the
// Transport contract requires; n never exceeds the buffer.
func TestHub_truncation(t *testing.T) {
	for _, c := range []struct {
		name string
		size int
		want got
	}{
		{"larger than the buffer", 3, got{"abc", "fake:a", true}},
		{"exactly the buffer", 6, got{"abcdef", "fake:a", false}},
		{"smaller than the buffer", 100, got{"abcdef", "fake:a", false}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var h Hub
			a := open(t, &h, "a")
			if err := a.Send([]byte("abcdef")); err != nil {
				t.Fatal(err)
			}
			if g := recv(t, a, c.size); g != c.want {
				t.Errorf("got %+v, want %+v", g, c.want)
			}
		})
	}
}

// Each endpoint gets its own copy: a sender reusing its buffer, or a
// receiver scribbling on what it got, changes nothing for the others.
func TestHub_deliversCopies(t *testing.T) {
	var h Hub
	a, b, c := open(t, &h, "a"), open(t, &h, "b"), open(t, &h, "c")
	msg := []byte("one")
	if err := a.Send(msg); err != nil {
		t.Fatal(err)
	}
	copy(msg, "two")
	buf := make([]byte, 8)
	n, _, _, err := b.Receive(buf)
	if err != nil {
		t.Fatal(err)
	}
	copy(buf[:n], "XXX")
	if g := recv(t, c, 8).data; g != "one" {
		t.Errorf("got %v, want %v", g, "one")
	}
}

func TestHub_close(t *testing.T) {
	var h Hub
	a, b := open(t, &h, "a"), open(t, &h, "b")
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close: got %v, want nil", err)
	}
	if _, _, _, err := b.Receive(make([]byte, 8)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Receive after Close: got %v, want %v", err, net.ErrClosed)
	}
	// The others go on, and a send does not wait for the closed end.
	if err := a.Send([]byte("still")); err != nil {
		t.Fatal(err)
	}
	if g := recv(t, a, 8).data; g != "still" {
		t.Errorf("got %v, want %v", g, "still")
	}
	h.mu.Lock()
	n := len(h.ends)
	h.mu.Unlock()
	if n != 1 {
		t.Errorf("got %v endpoints on the hub, want %v", n, 1)
	}
}

// An endpoint opened after a datagram was sent does not get it: the hub
// keeps no history, as a multicast group does not.
func TestHub_noHistory(t *testing.T) {
	var h Hub
	a := open(t, &h, "a")
	if err := a.Send([]byte("early")); err != nil {
		t.Fatal(err)
	}
	late := open(t, &h, "late")
	if err := a.Send([]byte("now")); err != nil {
		t.Fatal(err)
	}
	if g := recv(t, late, 8).data; g != "now" {
		t.Errorf("got %v, want %v", g, "now")
	}
}

// Two transports from one factory are two endpoints (a restarted
// MulticastServer opens a new one).
func TestHub_factoryOpensNewEndpoints(t *testing.T) {
	var h Hub
	f := h.Transport("x")
	t1, _ := f()
	t2, _ := f()
	defer t1.Close()
	defer t2.Close()
	if t1 == t2 {
		t.Fatalf("got the same endpoint twice, want two")
	}
	if err := t1.Send([]byte("d")); err != nil {
		t.Fatal(err)
	}
	if g := recv(t, t2, 8); g != (got{"d", "fake:x", false}) {
		t.Errorf("got %+v, want d from fake:x", g)
	}
}
