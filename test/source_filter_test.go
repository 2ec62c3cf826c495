package test

import (
	"net"
	"testing"
	"time"

	"golang.org/x/net/ipv4"

	"github.com/diskd-actors/diskd-actors/messages/wire"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// One source floods far past its rate limit: the reader refuses the excess
// before decoding it (status gossip.filter_refused, counted in drops as
// rate_limited too), and the daemon goes on serving.
func TestProtocol_FloodFromOneSourceRefusedBeforeDecoding(t *testing.T) {
	t.Parallel()
	// Built without the race detector, logging at info: the reader has to
	// take datagrams faster than the filter's 4,000/s for it to act, and a
	// race-detecting daemon on a busy machine does not.
	b := bed.New(t, bed.Options{Hosts: bed.NoHosts, Tags: build.Tags, LogLevel: "info",
		Announce: defaultAnnounce, PeerTimeout: defaultPeerTimeout, MountsInterval: time.Second,
		StartTimeout: 15 * time.Second})
	n := &network{t: t, bed: b, port: b.Port, group: b.Group}
	d := n.start("filtered", exportDisk("/dev/sda1", uuidFor(0, 1), "survivor", "ext4"))
	eventually(t, 5*time.Second, "local disk listed", func() bool { return len(d.list()) == 1 })

	lo, err := net.InterfaceByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p := ipv4.NewPacketConn(c)
	if err := p.SetMulticastInterface(lo); err != nil {
		t.Fatal(err)
	}
	group := &net.UDPAddr{IP: net.ParseIP(n.group), Port: n.port}
	// Junk in a frame: whatever passes the filter is dropped, of no kind.
	junk := wire.EncodeFrame([]byte(`{"v":2,"junk":true}`), nil)
	// For 2 s as fast as one socket can (bounded: at most 400,000): far
	// more than the filter's burst (4,096) plus its rate (4,000/s).
	start := time.Now()
	sent := 0
	for ; sent < 400000 && time.Since(start) < 2*time.Second; sent++ {
		p.WriteTo(junk, nil, group)
	}
	t.Logf("%d datagrams sent in %v", sent, time.Since(start).Round(time.Millisecond))

	gossipField := func(name string) float64 {
		g, _ := d.status()["gossip"].(map[string]any)
		v, _ := g[name].(float64)
		return v
	}
	t.Logf("status after the flood: gossip %v, drops %v, datagrams in %v", d.status()["gossip"], d.drops(), d.status()["network"])
	eventually(t, 10*time.Second, "the flood refused before decoding", func() bool { return gossipField("filter_refused") > 0 })
	refused := gossipField("filter_refused")
	dr := d.drops()
	if dr["rate_limited"] < refused {
		t.Errorf("drops %v: rate_limited below the %v refused before decoding", dr, refused)
	}
	if dr["kind"] == 0 {
		t.Errorf("drops %v: want what passed the filter decoded and dropped (kind)", dr)
	}
	if s := gossipField("filter_sources"); s < 1 {
		t.Errorf("filter_sources %v: want the flooding source held", s)
	}
	if got := d.list(); countNode(got, "filtered") != 1 {
		t.Errorf("after the flood: %d local disks, want 1", countNode(got, "filtered"))
	}
	t.Logf("refused before decoding %v; drops %v", refused, dr)
}
