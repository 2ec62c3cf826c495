package cluster

import (
	"log"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"
)

// Traffic counts the bytes memberlist sends and receives, packets and
// streams alike (after encryption, before IP headers): status shows them
// and the benchmarks read them.
type Traffic struct {
	PacketsOut, PacketBytesOut, StreamBytesOut atomic.Uint64
	PacketsIn, PacketBytesIn, StreamBytesIn    atomic.Uint64
}

// BytesOut is everything sent.
func (t *Traffic) BytesOut() uint64 { return t.PacketBytesOut.Load() + t.StreamBytesOut.Load() }

// BytesIn is everything received.
func (t *Traffic) BytesIn() uint64 { return t.PacketBytesIn.Load() + t.StreamBytesIn.Load() }

// CountingTransport is memberlist's own UDP+TCP transport with every byte
// counted in a Traffic.
type CountingTransport struct {
	*memberlist.NetTransport
	t       *Traffic
	packets chan *memberlist.Packet
	streams chan net.Conn
	done    chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
}

// NewCountingTransport binds memberlist's sockets on host:port.
func NewCountingTransport(host string, port int, logger *log.Logger, t *Traffic) (*CountingTransport, error) {
	nt, err := memberlist.NewNetTransport(&memberlist.NetTransportConfig{BindAddrs: []string{host}, BindPort: port, Logger: logger})
	if err != nil {
		return nil, err
	}
	c := &CountingTransport{NetTransport: nt, t: t, packets: make(chan *memberlist.Packet),
		streams: make(chan net.Conn), done: make(chan struct{})}
	c.wg.Add(2)
	go c.relayPackets()
	go c.relayStreams()
	return c, nil
}

func (c *CountingTransport) relayPackets() {
	defer c.wg.Done()
	src := c.NetTransport.PacketCh()
	for {
		select {
		case p := <-src:
			c.t.PacketsIn.Add(1)
			c.t.PacketBytesIn.Add(uint64(len(p.Buf)))
			select {
			case c.packets <- p:
			case <-c.done:
				return
			}
		case <-c.done:
			return
		}
	}
}

func (c *CountingTransport) relayStreams() {
	defer c.wg.Done()
	src := c.NetTransport.StreamCh()
	for {
		select {
		case conn := <-src:
			select {
			case c.streams <- &countingConn{Conn: conn, t: c.t}:
			case <-c.done:
				conn.Close()
				return
			}
		case <-c.done:
			return
		}
	}
}

// PacketCh implements memberlist.Transport.
func (c *CountingTransport) PacketCh() <-chan *memberlist.Packet { return c.packets }

// StreamCh implements memberlist.Transport.
func (c *CountingTransport) StreamCh() <-chan net.Conn { return c.streams }

// WriteTo implements memberlist.Transport.
func (c *CountingTransport) WriteTo(b []byte, addr string) (time.Time, error) {
	c.sent(len(b))
	return c.NetTransport.WriteTo(b, addr)
}

// WriteToAddress implements memberlist.NodeAwareTransport.
func (c *CountingTransport) WriteToAddress(b []byte, a memberlist.Address) (time.Time, error) {
	c.sent(len(b))
	return c.NetTransport.WriteToAddress(b, a)
}

func (c *CountingTransport) sent(n int) {
	c.t.PacketsOut.Add(1)
	c.t.PacketBytesOut.Add(uint64(n))
}

// DialTimeout implements memberlist.Transport.
func (c *CountingTransport) DialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	conn, err := c.NetTransport.DialTimeout(addr, timeout)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: conn, t: c.t}, nil
}

// DialAddressTimeout implements memberlist.NodeAwareTransport.
func (c *CountingTransport) DialAddressTimeout(a memberlist.Address, timeout time.Duration) (net.Conn, error) {
	return c.DialTimeout(a.Addr, timeout)
}

// Shutdown implements memberlist.Transport.
func (c *CountingTransport) Shutdown() error {
	err := c.NetTransport.Shutdown()
	c.once.Do(func() { close(c.done) })
	c.wg.Wait()
	return err
}

type countingConn struct {
	net.Conn
	t *Traffic
}

func (c *countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.t.StreamBytesIn.Add(uint64(n))
	return n, err
}

func (c *countingConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.t.StreamBytesOut.Add(uint64(n))
	return n, err
}
