package uevent

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// kernelGroup is the multicast group of the kernel's own events (udevd
// re-broadcasts on group 2).
const kernelGroup = 1

// Conn is a socket on the kernel's uevent group. Reads block in the Go
// poller, so Close ends a Read in another goroutine.
type Conn struct {
	f  *os.File
	rc syscall.RawConn
}

// ErrOverflow says the socket's buffer overflowed: events were lost, so
// the caller should assume that anything may have changed.
var ErrOverflow = errors.New("uevent: receive buffer overflowed, events lost")

// ErrNotFromKernel is a datagram some process sent, not the kernel.
var ErrNotFromKernel = errors.New("uevent: datagram not sent by the kernel")

// Listen opens a socket on the kernel's uevent group, with a receive
// buffer of rcvbuf bytes (0: the system default).
func Listen(rcvbuf int) (*Conn, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_KOBJECT_UEVENT)
	if err != nil {
		return nil, fmt.Errorf("uevent: netlink socket: %w", err)
	}
	if rcvbuf > 0 {
		_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, rcvbuf) // a smaller buffer only loses bursts
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: kernelGroup}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("uevent: bind to the kernel's group: %w", err)
	}
	f := os.NewFile(uintptr(fd), "uevent")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &Conn{f: f, rc: rc}, nil
}

// Read reads one datagram into b; a datagram larger than b is cut and
// reported as an error. It returns os.ErrClosed once Close was called.
func (c *Conn) Read(b []byte) (int, error) {
	var n int
	var from unix.Sockaddr
	var rerr error
	err := c.rc.Read(func(fd uintptr) bool {
		n, _, _, from, rerr = unix.Recvmsg(int(fd), b, nil, unix.MSG_TRUNC)
		return rerr != unix.EAGAIN
	})
	switch {
	case err != nil:
		return 0, os.ErrClosed // the poller's only error here: the file is closed
	case errors.Is(rerr, unix.ENOBUFS):
		return 0, ErrOverflow
	case rerr != nil:
		return 0, rerr
	}
	if sa, ok := from.(*unix.SockaddrNetlink); !ok || sa.Pid != 0 {
		return 0, ErrNotFromKernel
	}
	if n > len(b) {
		return 0, fmt.Errorf("uevent: %d-byte datagram, buffer %d", n, len(b))
	}
	return n, nil
}

// Close closes the socket; a Read in progress returns.
func (c *Conn) Close() error { return c.f.Close() }
