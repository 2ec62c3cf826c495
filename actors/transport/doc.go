// Package transport carries datagrams between daemons behind one small
// interface, Transport: IPv4 multicast on one interface (multicast.go) and
// an in-memory broadcast Hub (fake.go) that lets actor and protocol tests
// run without sockets. MulticastServer is its only user in the daemon.
//
// The multicast transport repairs itself when its interface changes: a
// watcher (watch.go, netlink.go) looks at the interface every second and
// on every netlink link or address event, Decide (recovery.go, pure)
// says whether to re-join the group and re-bind the sending socket, and
// the outcome is counted in a Health (health.go) that status reads
// through Reporter.
package transport
