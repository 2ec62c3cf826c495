package transport

import (
	"errors"
	"net"
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"
)

// DefaultReceiveBuffer is the receive buffer asked of the kernel unless
// WithReceiveBuffer says otherwise: room for a few thousand chunks, about
// 70 ms of a 50,000/s flood, so that a pause of the reader (a collection,
// a status query) costs no datagrams. The kernel doubles it for its own
// bookkeeping; it is memory the kernel uses only while datagrams wait.
const DefaultReceiveBuffer = 4 << 20

// Datagram is one datagram of a batch: the first N bytes of Buf, from
// Src. Err is ErrWrongDestination for a datagram sent to another group.
type Datagram struct {
	Buf       []byte
	N         int
	Src       string
	Truncated bool
	Err       error
}

// BatchReceiver is a Transport that receives several waiting datagrams in
// one call (recvmmsg), so that a flood costs one system call and one
// wake-up per batch instead of per datagram. Only one goroutine may call
// ReceiveBatch.
type BatchReceiver interface {
	// ReceiveBatch blocks until at least one datagram arrives, fills
	// ds[:n] (each into its Buf) and returns n.
	ReceiveBatch(ds []Datagram) (n int, err error)
}

// SocketStats describes the receiving socket: the buffer the kernel
// granted (bytes, as it counts them: twice what was asked) and the
// datagrams it dropped because the buffer was full.
type SocketStats struct {
	Buffer int
	Drops  uint64
}

// SocketReporter is a Transport that reports its receiving socket.
type SocketReporter interface {
	ReceiveSocket() (SocketStats, error)
}

// WithReceiveBuffer asks the kernel for n bytes of receive buffer
// (default DefaultReceiveBuffer); n <= 0 keeps the default.
func WithReceiveBuffer(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.rcvbuf = n
		}
	}
}

// setReceiveBuffer asks for n bytes: beyond net.core.rmem_max when the
// daemon may (CAP_NET_ADMIN), else up to it.
func setReceiveBuffer(fd int, n int) error {
	if n <= 0 {
		n = DefaultReceiveBuffer
	}
	if unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, n) == nil {
		return nil
	}
	return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, n)
}

// batchState is what ReceiveBatch reuses from call to call.
type batchState struct {
	msgs  []ipv4.Message
	cm    ipv4.ControlMessage
	names map[netip.AddrPort]string // sources as text, bounded by maxSrcNames
}

// ReceiveBatch reads the datagrams waiting, up to len(ds), with recvmmsg
// (IPv4; an IPv6 transport reads one at a time through Receive, which
// also names link-local sources by their zone).
func (t *multicastTransport) ReceiveBatch(ds []Datagram) (int, error) {
	v4, ok := t.recv.(v4Conn)
	if !ok || len(ds) == 1 {
		return t.receiveOne(&ds[0])
	}
	if len(t.rx.msgs) < len(ds) {
		t.rx.msgs = make([]ipv4.Message, len(ds))
		for i := range t.rx.msgs {
			t.rx.msgs[i].Buffers = make([][]byte, 1)
			t.rx.msgs[i].OOB = ipv4.NewControlMessage(ipv4.FlagDst | ipv4.FlagInterface)
		}
	}
	ms := t.rx.msgs[:len(ds)]
	for i := range ms {
		ms[i].Buffers[0] = ds[i].Buf
	}
	n, err := v4.ReadBatch(ms, 0)
	if err != nil {
		return 0, err
	}
	for i := range n {
		m, d := &ms[i], &ds[i]
		d.N, d.Err, d.Src = m.N, nil, ""
		d.Truncated = m.Flags&unix.MSG_TRUNC != 0 || m.N == len(d.Buf)
		if m.Addr != nil {
			d.Src = t.srcName(m.Addr)
		}
		// Parse reuses t.rx.cm.Dst: no allocation per datagram.
		cm := &t.rx.cm
		if m.NN == 0 || cm.Parse(m.OOB[:m.NN]) != nil {
			continue
		}
		if (cm.Dst != nil && !cm.Dst.Equal(t.group.IP)) ||
			(t.fam.linkScope && cm.IfIndex != 0 && int64(cm.IfIndex) != t.arrival.Load()) {
			d.Err = ErrWrongDestination
		}
	}
	return n, nil
}

// receiveOne reads one datagram through Receive into d.
func (t *multicastTransport) receiveOne(d *Datagram) (int, error) {
	n, src, truncated, err := t.Receive(d.Buf)
	d.N, d.Src, d.Truncated, d.Err = n, src, truncated, nil
	if errors.Is(err, ErrWrongDestination) {
		d.Err, err = err, nil
	}
	if err != nil {
		return 0, err
	}
	return 1, nil
}

// maxSrcNames bounds ReceiveBatch's cache of source addresses as text;
// when full it starts afresh (a flood of new sources costs a map reset per
// maxSrcNames of them).
const maxSrcNames = 4096

// srcName returns a as text, from the cache: formatting an address per
// datagram was an allocation and a tenth of a microsecond each.
func (t *multicastTransport) srcName(a net.Addr) string {
	ua, ok := a.(*net.UDPAddr)
	if !ok {
		return a.String()
	}
	ap := ua.AddrPort()
	if s, ok := t.rx.names[ap]; ok {
		return s
	}
	if t.rx.names == nil || len(t.rx.names) >= maxSrcNames {
		t.rx.names = make(map[netip.AddrPort]string, 64)
	}
	s := ap.String()
	t.rx.names[ap] = s
	return s
}

// skMeminfoDrops is SK_MEMINFO_DROPS of linux/sock_diag.h, the index of
// the drop count in SO_MEMINFO's answer of skMeminfoVars counters.
const (
	skMeminfoDrops = 8
	skMeminfoVars  = 9
)

// ReceiveSocket reads the receiving socket's buffer size and drop count.
func (t *multicastTransport) ReceiveSocket() (SocketStats, error) {
	sc, ok := t.rconn.(syscall.Conn)
	if !ok {
		return SocketStats{}, errors.New("the receiving socket has no file descriptor")
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return SocketStats{}, err
	}
	var st SocketStats
	var serr error
	err = rc.Control(func(fd uintptr) {
		if st.Buffer, serr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF); serr != nil {
			return
		}
		var mi [skMeminfoVars]uint32
		l := uint32(unsafe.Sizeof(mi))
		_, _, e := unix.Syscall6(unix.SYS_GETSOCKOPT, fd, unix.SOL_SOCKET, unix.SO_MEMINFO,
			uintptr(unsafe.Pointer(&mi[0])), uintptr(unsafe.Pointer(&l)), 0)
		if e != 0 {
			serr = e
			return
		}
		st.Drops = uint64(mi[skMeminfoDrops])
	})
	return st, errors.Join(err, serr)
}
