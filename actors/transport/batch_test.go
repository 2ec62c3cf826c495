package transport

import (
	"errors"
	"fmt"
	"net"
	"testing"
	"time"
)

// batchTransport opens multicast on lo (nothing leaves the host) on a
// free port with a receive buffer of rcvbuf bytes, and no reader: the
// test reads with ReceiveBatch.
func batchTransport(t *testing.T, rcvbuf int) (*multicastTransport, int) {
	t.Helper()
	fl, _ := loLink(t)
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := c.LocalAddr().(*net.UDPAddr).Port
	c.Close()
	tr, err := OpenMulticast("239.255.71.10", port, "lo", 0, WithCheckInterval(time.Hour),
		WithoutNetlink(), withObserver(fl.get), WithReceiveBuffer(rcvbuf))
	if err != nil {
		t.Fatalf("open multicast on lo: %v", err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr.(*multicastTransport), port
}

// Waiting datagrams come in one call, each with its source, size and
// destination check: ours, one addressed to the host rather than the
// group, and one larger than the buffer.
func TestReceiveBatch_ReadsWhatWaits(t *testing.T) {
	tr, port := batchTransport(t, DefaultReceiveBuffer)
	for i := range 5 {
		if err := tr.Send(fmt.Appendf(nil, "datagram %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	uc, err := net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		t.Fatal(err)
	}
	defer uc.Close()
	if _, err := uc.Write([]byte("unicast")); err != nil {
		t.Fatal(err)
	}
	if _, err := uc.Write(make([]byte, 3000)); err != nil {
		t.Fatal(err)
	}
	ds := make([]Datagram, 16)
	for i := range ds {
		ds[i].Buf = make([]byte, 2048)
	}
	// All seven wait in the socket before the call: one call reads them.
	n, err := tr.ReceiveBatch(ds)
	if err != nil {
		t.Fatal(err)
	}
	if n != 7 {
		t.Fatalf("read %d datagrams in one call, want the 7 waiting", n)
	}
	for i := range 5 {
		d := ds[i]
		if got, want := string(d.Buf[:d.N]), fmt.Sprint("datagram ", i); got != want || d.Err != nil || d.Truncated || d.Src == "" {
			t.Errorf("datagram %d: %q from %q, err %v, truncated %v; want %q from an address", i, got, d.Src, d.Err, d.Truncated, want)
		}
	}
	if d := ds[5]; string(d.Buf[:d.N]) != "unicast" || !errors.Is(d.Err, ErrWrongDestination) {
		t.Errorf("unicast datagram: %q, err %v; want ErrWrongDestination", d.Buf[:d.N], d.Err)
	}
	if d := ds[6]; !d.Truncated || d.N != 2048 {
		t.Errorf("3000-byte datagram: %d bytes, truncated %v; want 2048, truncated", d.N, d.Truncated)
	}
}

// The socket reports the buffer the kernel granted and, once it
// overflows, the datagrams dropped.
func TestReceiveSocket_BufferAndDrops(t *testing.T) {
	const asked = 64 << 10
	tr, _ := batchTransport(t, asked)
	st, err := tr.ReceiveSocket()
	if err != nil {
		t.Fatal(err)
	}
	if st.Buffer < asked || st.Drops != 0 {
		t.Fatalf("socket %+v, want a buffer of at least %d bytes and no drops", st, asked)
	}
	// Far more than 128 KiB of datagrams, none read: most are dropped.
	for range 500 {
		if err := tr.Send(make([]byte, 1000)); err != nil {
			t.Fatal(err)
		}
	}
	if st, err = tr.ReceiveSocket(); err != nil {
		t.Fatal(err)
	}
	if st.Drops == 0 || st.Drops >= 500 {
		t.Errorf("%d of 500 datagrams dropped by a %d-byte buffer, want some but not all", st.Drops, st.Buffer)
	}
}
