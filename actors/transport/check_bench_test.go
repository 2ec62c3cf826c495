package transport

import (
	"net"
	"testing"
)

// BenchmarkObserve is the cost of one periodic interface check (without
// the rejoin or rebind it rarely leads to): a look at lo as a configured
// interface.
func BenchmarkObserve(b *testing.B) {
	t := &multicastTransport{ifname: "lo", group: &net.UDPAddr{IP: net.IPv4(239, 255, 71, 9), Port: 9}}
	for b.Loop() {
		if !t.observe().Usable() {
			b.Fatal("lo not usable")
		}
	}
}
