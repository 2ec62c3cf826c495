package test

import (
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/ipv4"

	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// multicast.receive_buffer sizes the daemon's receiving socket (status
// gossip.receive_buffer), and what overflows it while the daemon does not
// read is counted as gossip.socket_drops: every datagram sent is either
// read or counted, none dropped as busy.
func TestIngest_ReceiveBufferOverflowIsCounted(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	const asked = 64 << 10
	d := n.start("stalled", exportDisk("/dev/sda1", uuidFor(0, 1), "survivor", "ext4"),
		withYAML("multicast:\n  receive_buffer: 65536\n"))
	eventually(t, 5*time.Second, "local disk listed", func() bool { return len(d.list()) == 1 })
	gossip := func() map[string]any { g, _ := d.status()["gossip"].(map[string]any); return g }
	field := func(m map[string]any, k string) float64 { v, _ := m[k].(float64); return v }
	received := func() float64 {
		nw, _ := d.status()["network"].(map[string]any)
		return field(nw, "datagrams_in") - field(nw, "own_in")
	}
	// Published with the engine's tables, every half second.
	eventually(t, 5*time.Second, "the socket in status", func() bool { return field(gossip(), "receive_buffer") > 0 })
	g := gossip()
	if b := field(g, "receive_buffer"); b < asked {
		t.Fatalf("gossip.receive_buffer %v, want at least the %d bytes asked", b, asked)
	}
	if field(g, "socket_drops") != 0 {
		t.Fatalf("gossip %v: socket drops before the burst", g)
	}
	before := received()

	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p := ipv4.NewPacketConn(c)
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetMulticastInterface(lo); err != nil {
		t.Fatal(err)
	}
	group := &net.UDPAddr{IP: net.ParseIP(n.group), Port: n.port}
	// 1,000 bytes of junk in a frame: dropped as kind once read.
	junk := wire.EncodeFrame([]byte(`{"v":2,"junk":"`+strings.Repeat("x", 960)+`"}`), nil)

	// Stopped, the daemon reads nothing: the kernel keeps what fits in
	// the buffer (some tens of datagrams) and drops the rest.
	const sent = 2000
	if err := d.host.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	for range sent {
		if _, err := p.WriteTo(junk, nil, group); err != nil {
			d.host.Signal(syscall.SIGCONT)
			t.Fatal(err)
		}
	}
	if err := d.host.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "every datagram read or counted as a socket drop", func() bool {
		return received()-before+field(gossip(), "socket_drops") >= sent
	})
	g = gossip()
	got, drops := received()-before, field(g, "socket_drops")
	t.Logf("%d sent while stopped: %v read, %v dropped by the kernel (buffer %v bytes)", sent, got, drops, field(g, "receive_buffer"))
	// The daemon's own datagrams sent just before the stop share the
	// buffer: counted in drops when they overflow it, not in what was read
	// (own_in is subtracted), so the sum may exceed sent by those few.
	if drops == 0 || got == 0 || got+drops < sent || got+drops > sent+20 {
		t.Errorf("%v read + %v socket drops, want both above 0 and %d in all (a few more for our own)", got, drops, sent)
	}
	if dr := d.drops(); dr["busy"] != 0 {
		t.Errorf("drops %v: want none as busy", dr)
	}
	if got := d.list(); countNode(got, "stalled") != 1 {
		t.Errorf("after the burst: %d local disks, want 1", countNode(got, "stalled"))
	}
}
