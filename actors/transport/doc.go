// Package transport carries datagrams between daemons behind one small
// interface, Transport: IPv4 multicast on one interface (multicast.go) and
// an in-memory broadcast Hub (fake.go) that lets actor and protocol tests
// run without sockets. MulticastServer is its only user in the daemon.
package transport
