package transport

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// subscribeNetlink opens a netlink socket on the kernel's events of the
// given groups: links and the family's addresses, and routes for the
// default interface (family.netlinkGroups). Its messages are not parsed: each only asks for a check,
// which reads the interface's state whole, so a lost or reordered event
// costs nothing.
func subscribeNetlink(groups uint32) (*os.File, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: groups}); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("bind", err)
	}
	// A non-blocking descriptor makes the File pollable, so that Close
	// unblocks a Read.
	return os.NewFile(uintptr(fd), "netlink"), nil
}

// readNetlink calls changed for every message, and after an overflow
// (ENOBUFS: the kernel dropped events for lack of room, so something
// changed), until f is closed.
func readNetlink(f *os.File, changed func()) {
	buf := make([]byte, 16<<10)
	for {
		if _, err := f.Read(buf); err != nil && !errors.Is(err, unix.ENOBUFS) {
			return
		}
		changed()
	}
}
