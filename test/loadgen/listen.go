package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"sync"
	"syscall"

	"github.com/diskd-actors/diskd-actors/messages/wire"
	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"
)

// openSender opens a sending socket bound to 127.0.0.1 whose multicast
// leaves through lo only, with TTL 0 so that nothing could be forwarded
// off the host. Any failure to set that up is fatal.
func openSender(lo *net.Interface, group *net.UDPAddr) (*sender, error) {
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("loadgen: sender socket: %w", err)
	}
	pc := ipv4.NewPacketConn(conn)
	fail := func(what string, err error) (*sender, error) {
		conn.Close()
		return nil, fmt.Errorf("loadgen: sender socket: %s: %w", what, err)
	}
	// Without this the datagrams would follow the default route.
	if err := pc.SetMulticastInterface(lo); err != nil {
		return fail("set multicast interface "+lo.Name, err)
	}
	if err := pc.SetMulticastTTL(0); err != nil {
		return fail("set multicast ttl 0", err)
	}
	if err := pc.SetMulticastLoopback(true); err != nil {
		return fail("set multicast loopback", err)
	}
	return &sender{conn: conn, pc: pc}, nil
}

// listener hears the group on lo, on the daemon's port (shared through
// SO_REUSEADDR), for requests addressed to the simulated peers.
type listener struct {
	conn  net.PacketConn
	pc    *ipv4.PacketConn
	group net.IP
	keys  [][]byte
}

func openListener(lo *net.Interface, group *net.UDPAddr, key []byte) (*listener, error) {
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
			if serr == nil {
				// Only the group joined here, not every group on the host.
				serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_MULTICAST_ALL, 0)
			}
		})
		if err != nil {
			return err
		}
		return serr
	}}
	conn, err := lc.ListenPacket(context.Background(), "udp4", fmt.Sprintf("0.0.0.0:%d", group.Port))
	if err != nil {
		return nil, fmt.Errorf("loadgen: listen on port %d: %w", group.Port, err)
	}
	pc := ipv4.NewPacketConn(conn)
	if err := pc.JoinGroup(lo, &net.UDPAddr{IP: group.IP}); err != nil {
		conn.Close()
		return nil, fmt.Errorf("loadgen: join %s on %s: %w", group.IP, lo.Name, err)
	}
	if err := pc.SetControlMessage(ipv4.FlagDst, true); err != nil {
		conn.Close()
		return nil, fmt.Errorf("loadgen: control messages: %w", err)
	}
	l := &listener{conn: conn, pc: pc, group: group.IP}
	if len(key) > 0 {
		l.keys = [][]byte{key}
	}
	return l, nil
}

// requestMark is in every request datagram; others are skipped before
// decoding (the listener also hears every datagram the generator sends).
var requestMark = []byte(`"kind":"request"`)

// run reads until the socket is closed and routes requests for our peers
// to their workers.
func (l *listener) run(g *Gen, wg *sync.WaitGroup) {
	defer wg.Done()
	buf := make([]byte, 64*1024)
	for {
		n, cm, _, err := l.pc.ReadFrom(buf)
		if err != nil {
			return // closed by Stop or at the end of the run
		}
		if cm != nil && cm.Dst != nil && !cm.Dst.Equal(l.group) {
			continue
		}
		if n > wire.MaxDatagram || !bytes.Contains(buf[:n], requestMark) {
			continue
		}
		env, err := wire.DecodeDatagram(buf[:n], l.keys)
		if err != nil || env.Kind != wire.KindRequest {
			continue
		}
		p, ok := g.byNode[env.To]
		if !ok {
			continue
		}
		g.requests.Add(1)
		g.route(request{peer: p, gen: env.Gen, missing: env.Missing})
	}
}
