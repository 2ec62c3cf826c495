//go:build !linux

package uevent

import (
	"errors"
	"os"
)

// Conn is the kernel's uevent socket, which only Linux has.
type Conn struct{}

// ErrOverflow and ErrNotFromKernel are as on Linux.
var (
	ErrOverflow      = errors.New("uevent: receive buffer overflowed, events lost")
	ErrNotFromKernel = errors.New("uevent: datagram not sent by the kernel")
)

// Listen fails: device events are read from Linux netlink only.
func Listen(int) (*Conn, error) { return nil, errors.New("uevent: device events need Linux") }

// Read returns os.ErrClosed.
func (c *Conn) Read([]byte) (int, error) { return 0, os.ErrClosed }

// Close does nothing.
func (c *Conn) Close() error { return nil }
