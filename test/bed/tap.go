package bed

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/diskd-actors/diskd-actors/messages/wire"
	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"
)

// The kinds a Tap counts: the envelope kinds, the original diskd's
// datagrams, and anything else.
const (
	TapLegacy = "legacy"
	TapOther  = "other"
)

// TapKinds lists every kind a Tap counts, in report order.
var TapKinds = []string{wire.KindAnnounce, wire.KindChunk, wire.KindRequest, wire.KindGoodbye,
	wire.KindPing, TapLegacy, TapOther}

// Tap hears the bed's group as one more member would (lo mode): it counts
// every datagram sent to the group, by kind and by sending node, without
// answering anything. The count does not depend on the machine's speed, so
// it measures a protocol's efficiency where a time would measure the CPU.
type Tap struct {
	conn  net.PacketConn
	pc    *ipv4.PacketConn
	group net.IP
	keys  [][]byte
	inode string // the socket's inode, to find its drops in /proc/net/udp
	done  chan struct{}

	mu     sync.Mutex
	counts TapCounts
}

// TapCounts is what a Tap heard.
type TapCounts struct {
	Datagrams int64
	Bytes     int64
	ByKind    map[string]int64 // TapKinds
	ByNode    map[string]int64 // by the envelope's node ("" for legacy and other)
	// Last is when the tap last heard each kind.
	Last map[string]time.Time
}

// clone returns a copy that shares no map with c.
func (c TapCounts) clone() TapCounts {
	out := c
	out.ByKind, out.ByNode = make(map[string]int64, len(c.ByKind)), make(map[string]int64, len(c.ByNode))
	out.Last = make(map[string]time.Time, len(c.Last))
	for k, v := range c.Last {
		out.Last[k] = v
	}
	for k, v := range c.ByKind {
		out.ByKind[k] = v
	}
	for k, v := range c.ByNode {
		out.ByNode[k] = v
	}
	return out
}

// Tap joins the bed's group on lo and counts from now on; open it before
// StartAll to hear everything. It refuses netns mode (the test process is
// outside every namespace). Close it, or leave it to the test's cleanup.
func (b *Bed) Tap() (*Tap, error) {
	if b.opts.Mode != Lo {
		return nil, errors.New("bed: Tap needs lo mode")
	}
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		return nil, err
	}
	var keys [][]byte
	for _, k := range b.opts.Keys {
		key, err := base64.StdEncoding.DecodeString(k)
		if err != nil {
			return nil, fmt.Errorf("bed: tap: key: %w", err)
		}
		keys = append(keys, key)
	}
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			// The daemons' port, shared with them; only our group.
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
			if serr == nil {
				serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_MULTICAST_ALL, 0)
			}
			if serr == nil {
				// Room for a mass start's burst; as root past rmem_max.
				const want = 8 << 20
				if unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, want) != nil {
					serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, want)
				}
			}
		})
		if err != nil {
			return err
		}
		return serr
	}}
	conn, err := lc.ListenPacket(context.Background(), "udp4", fmt.Sprintf("0.0.0.0:%d", b.Port))
	if err != nil {
		return nil, fmt.Errorf("bed: tap: %w", err)
	}
	pc := ipv4.NewPacketConn(conn)
	group := net.ParseIP(b.Group)
	if err := pc.JoinGroup(lo, &net.UDPAddr{IP: group}); err != nil {
		conn.Close()
		return nil, fmt.Errorf("bed: tap: join %s on lo: %w", b.Group, err)
	}
	if err := pc.SetControlMessage(ipv4.FlagDst, true); err != nil {
		conn.Close()
		return nil, fmt.Errorf("bed: tap: %w", err)
	}
	t := &Tap{conn: conn, pc: pc, group: group, keys: keys, inode: socketInode(conn), done: make(chan struct{}),
		counts: TapCounts{ByKind: map[string]int64{}, ByNode: map[string]int64{}, Last: map[string]time.Time{}}}
	go t.run()
	b.tb.Cleanup(func() { t.Close() })
	return t, nil
}

func (t *Tap) run() {
	defer close(t.done)
	buf := make([]byte, 64*1024)
	for {
		n, cm, _, err := t.pc.ReadFrom(buf)
		if err != nil {
			return // closed
		}
		if cm != nil && cm.Dst != nil && !cm.Dst.Equal(t.group) {
			continue // unicast to the port, not the group
		}
		kind, node := classify(buf[:n], t.keys)
		t.mu.Lock()
		t.counts.Datagrams++
		t.counts.Bytes += int64(n)
		t.counts.ByKind[kind]++
		t.counts.ByNode[node]++
		t.counts.Last[kind] = time.Now()
		t.mu.Unlock()
	}
}

// classify names a datagram's kind and sending node as a daemon would
// decode it; what a daemon would drop is "other".
func classify(b []byte, keys [][]byte) (kind, node string) {
	if bytes.HasPrefix(b, []byte(wire.LegacyPrefix)) {
		return TapLegacy, ""
	}
	env, err := wire.DecodeDatagram(b, keys)
	if err != nil {
		return TapOther, ""
	}
	return env.Kind, env.Node
}

// Counts returns what the tap heard so far.
func (t *Tap) Counts() TapCounts {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.counts.clone()
}

// Dropped is how many datagrams the kernel dropped on the tap's socket
// (its receive queue was full), from /proc/net/udp; -1 when unknown. A
// count is only complete when this is 0.
func (t *Tap) Dropped() int64 {
	if t.inode == "" {
		return -1
	}
	b, err := os.ReadFile("/proc/net/udp")
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		// sl local rem st tx:rx tr:tm retr uid timeout inode ref pointer drops
		f := strings.Fields(l)
		if len(f) >= 13 && f[9] == t.inode {
			n, err := strconv.ParseInt(f[12], 10, 64)
			if err != nil {
				return -1
			}
			return n
		}
	}
	return -1
}

// Close stops the tap. Safe to call more than once.
func (t *Tap) Close() error {
	err := t.conn.Close()
	<-t.done
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// socketInode is the inode of conn's socket, "" when unknown.
func socketInode(conn net.PacketConn) string {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return ""
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return ""
	}
	var inode string
	rc.Control(func(fd uintptr) {
		var st unix.Stat_t
		if unix.Fstat(int(fd), &st) == nil {
			inode = strconv.FormatUint(st.Ino, 10)
		}
	})
	return inode
}
