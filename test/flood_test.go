package test

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages/wire"
	"golang.org/x/net/ipv4"
)

// A flood of junk and of fake peers from several sources: the daemon keeps
// answering list and where with its data intact, counts what it drops, and
// its memory stays bounded (peers capped, queues bounded).
func TestProtocol_FloodWhileClientsQuery(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	d := n.start("flooded", exportDisk("/dev/sda1", uuidFor(0, 1), "survivor", "ext4"))
	eventually(t, 5*time.Second, "local disk listed", func() bool { return len(d.list()) == 1 })

	lo, err := net.InterfaceByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	group := &net.UDPAddr{IP: net.ParseIP(n.group), Port: n.port}
	const senders, perSender = 8, 6000 // bounded: 48,000 datagrams in all
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for s := range senders {
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := ipv4.NewPacketConn(c)
		p.SetMulticastInterface(lo)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			for i := range perSender {
				select {
				case <-stop:
					return
				default:
				}
				var b []byte
				if i%2 == 0 {
					b = []byte(fmt.Sprintf(`{"v":2,"junk":%d`, i))
				} else {
					body := fmt.Sprintf(`{"v":2,"kind":"chunk","node":"fake-%d-%d","instance":"00000000000000ff","seq":1,"gen":1,"chunks":1,"index":0,"disks":[{"label":"fake"}]}`, s, i)
					b = wire.EncodeFrame([]byte(body), nil)
				}
				p.WriteTo(b, nil, group)
			}
		}()
	}
	// Clients keep asking during the whole flood (every datagram sent, and
	// at least 30 questions); each answer must come.
	sent := make(chan struct{})
	go func() { wg.Wait(); close(sent) }()
	asked := 0
	for flooding := true; flooding || asked < 30; asked++ {
		select {
		case <-sent:
			flooding = false
		default:
		}
		lines, status := d.query("where survivor")
		if !strings.HasPrefix(status, ".ok") || !strings.Contains(strings.Join(lines, "\n")+status, "flooded") {
			close(stop)
			<-sent
			t.Fatalf("where during the flood (question %d): %q %q", asked+1, lines, status)
		}
	}
	// And the client binary, as a user would.
	if out, errs, code := d.client("where", "survivor"); code != 0 || !strings.Contains(out, "flooded") {
		t.Fatalf("where with the client after the flood: exit %d, %q %q", code, out, errs)
	}
	close(stop)
	<-sent
	t.Logf("%d questions answered during the flood", asked)

	dr := d.drops()
	if dr["malformed"] == 0 {
		t.Errorf("drops %v: want malformed counted", dr)
	}
	st := d.status()
	peers, _ := st["peers"].(float64)
	if peers > 10000 {
		t.Errorf("%v peers kept, limit 10000", peers)
	}
	if got := d.list(); countNode(got, "flooded") != 1 {
		t.Errorf("after the flood: %d local disks, want 1", countNode(got, "flooded"))
	}
	ps, err := d.host.ProcStat()
	if err != nil {
		t.Fatal(err)
	}
	if rss := ps.RSS >> 10; rss > 512*1024 {
		t.Errorf("resident memory after the flood: %d KiB, want it bounded (< 512 MiB even under -race)", rss)
	} else {
		t.Logf("resident memory after the flood: %d KiB; %v peers; drops %v", rss, peers, dr)
	}
}
