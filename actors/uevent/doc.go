// Package uevent reads the kernel's device events (NETLINK_KOBJECT_UEVENT):
// a parser for one event datagram (pure), a debouncer that turns a burst
// of events into one rescan (pure, on the caller's clock), and the netlink
// socket itself (conn_linux.go), which needs no privileges and works in a
// network namespace.
package uevent
