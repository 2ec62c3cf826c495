package bed

import (
	"net"
	"strconv"
	"testing"
)

// FreeTCPUDPPort returns a port of 127.0.0.1 free for both TCP and UDP at
// the moment of asking (memberlist binds both on one port).
func FreeTCPUDPPort(t testing.TB) int {
	t.Helper()
	for range 20 {
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp4", "127.0.0.1:"+strconv.Itoa(port))
		l.Close()
		if err == nil {
			u.Close()
			return port
		}
	}
	t.Fatal("no port free for both TCP and UDP on 127.0.0.1")
	return 0
}
