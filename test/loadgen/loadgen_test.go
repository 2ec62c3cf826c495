package loadgen

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages/wire"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// TestMain fails the run if a goroutine outlives the tests, and removes
// the daemon built for them.
func TestMain(m *testing.M) { bed.Main(m) }

// testKey is the authentication key of the keyed tests.
var testKey = []byte("loadgen-test-key-0123456789")

// A template builds, for any sequence number and generation, the bytes
// wire.EncodeDatagram builds, and they decode.
func TestTemplate_MatchesEncodeDatagram(t *testing.T) {
	disks := (&Gen{cfg: Config{NodePrefix: "sim", DisksPerPeer: 30}}).inventory(7)
	for _, key := range [][]byte{nil, testKey} {
		var keys [][]byte
		var mac = hmac.New(sha256.New, testKey)
		if key != nil {
			keys = [][]byte{key}
		}
		p, err := newPeer(7, "sim-0007", "0123456789abcdef", disks, key)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.chunks) < 2 {
			t.Fatalf("30 disks: got %d chunks, want several", len(p.chunks))
		}
		for _, n := range []uint64{1, 9, 10, 12345, 1<<64 - 1} {
			for idx := -1; idx < len(p.chunks); idx++ {
				p.seq, p.gen = n-1, n
				got := p.build(nil, idx, mac)
				env := &wire.Envelope{Kind: wire.KindChunk, Node: p.node, Instance: p.instance, Seq: n,
					Agent: Agent, Gen: n, Chunks: len(p.chunks), Index: idx}
				if idx < 0 {
					env.Kind, env.Index, env.Digest, env.Count = wire.KindAnnounce, 0, wire.Digest(disks), len(disks)
				} else {
					parts, _ := wire.SplitInventory(p.node, p.instance, Agent, disks)
					env.Disks = parts[idx]
				}
				want, err := wire.EncodeDatagram(env, key)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("signed %v, seq %d, index %d: got\n%s\nwant\n%s", key != nil, n, idx, got, want)
				}
				if _, err := wire.DecodeDatagram(got, keys); err != nil {
					t.Fatalf("signed %v, seq %d, index %d: decode: got %v, want no error", key != nil, n, idx, err)
				}
			}
		}
	}
}

// A Flood peer sends its chunks in order, then its announce, then the
// next generation, with a new sequence number each time.
func TestPeer_FloodOrder(t *testing.T) {
	g, err := New(Config{Group: "239.255.77.9", Port: 9, Peers: 1, DisksPerPeer: 40, Mode: Flood, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	p, chunks := g.peers[0], g.Chunks()
	for i := range 2 * (chunks + 1) {
		env, err := wire.DecodeDatagram(p.next(nil, nil), nil)
		if err != nil {
			t.Fatal(err)
		}
		wantKind, wantGen, wantIndex := wire.KindChunk, uint64(1+i/(chunks+1)), i%(chunks+1)
		if wantIndex == chunks {
			wantKind, wantIndex = wire.KindAnnounce, 0
		}
		if env.Kind != wantKind || env.Gen != wantGen || env.Index != wantIndex || env.Seq != uint64(i+1) {
			t.Errorf("datagram %d: got %s gen %d index %d seq %d, want %s gen %d index %d seq %d",
				i, env.Kind, env.Gen, env.Index, env.Seq, wantKind, wantGen, wantIndex, i+1)
		}
	}
	// FloodAnnounces: the first generation, then its announce only.
	q := g.peers[0]
	q.seq, q.gen, q.pos = 0, 1, 0
	for i := range chunks + 3 {
		env, err := wire.DecodeDatagram(q.nextAnnounce(nil, nil), nil)
		if err != nil {
			t.Fatal(err)
		}
		wantKind := wire.KindChunk
		if i >= chunks {
			wantKind = wire.KindAnnounce
		}
		if env.Kind != wantKind || env.Gen != 1 || env.Seq != uint64(i+1) {
			t.Errorf("announce flood, datagram %d: got %s gen %d seq %d, want %s gen 1 seq %d", i, env.Kind, env.Gen, env.Seq, wantKind, i+1)
		}
	}
}

// Each fixed hostile datagram is dropped for the reason ExpectedDrop gives.
func TestHostile_DropReasons(t *testing.T) {
	for _, keyed := range []bool{false, true} {
		var key []byte
		var keys [][]byte
		if keyed {
			key, keys = testKey, [][]byte{testKey}
		}
		dgs, err := hostileDatagrams(key)
		if err != nil {
			t.Fatal(err)
		}
		for i, kind := range HostileKinds {
			if dgs[i] == nil {
				continue // replay: judged by the daemon's replay window
			}
			_, err := wire.DecodeDatagram(dgs[i], keys)
			var de *wire.DropError
			if !errors.As(err, &de) || de.Reason != ExpectedDrop(kind, keyed) {
				t.Errorf("keyed %v, %s: got %v, want a drop for %q", keyed, kind, err, ExpectedDrop(kind, keyed))
			}
		}
	}
}

func TestNew_RejectsBadConfig(t *testing.T) {
	ok := Config{Group: "239.255.77.9", Port: 7000, Peers: 10, DisksPerPeer: 5}
	cases := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"unicast group", func(c *Config) { c.Group = "127.0.0.1" }, "group"},
		{"no port", func(c *Config) { c.Port = 0 }, "port"},
		{"no peers", func(c *Config) { c.Peers = 0 }, "peers"},
		{"short key", func(c *Config) { c.Key = []byte("short") }, "key"},
		{"rate over the source limit", func(c *Config) { c.Rate, c.Sockets = 10000, 2 }, "per socket"},
		{"more sockets than peers", func(c *Config) { c.Sockets = 11 }, "sockets"},
		{"hostile in Steady", func(c *Config) { c.Hostile = 0.5 }, "hostile"},
		{"requests in Flood", func(c *Config) { c.Mode, c.AnswerRequests = Flood, true }, "requests"},
		{"bad prefix", func(c *Config) { c.NodePrefix = "-x" }, "prefix"},
	}
	for _, c := range cases {
		cfg := ok
		c.edit(&cfg)
		if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error about %q", c.name, err, c.want)
		}
	}
	g, err := New(ok)
	if err != nil {
		t.Fatalf("valid config: got %v, want no error", err)
	}
	if got := g.Config(); got.Sockets != 4 || got.Workers != 4 || got.Rate != DefaultSteadyRate {
		t.Errorf("defaults: got %d sockets, %d workers, rate %v; want 4, 4, %d", got.Sockets, got.Workers, got.Rate, DefaultSteadyRate)
	}
	if err := g.SetRate(1e9); err == nil {
		t.Errorf("SetRate(1e9) over 2 sockets: got no error, want one")
	}
	g.Stop() // before Start: returns at once
	if err := g.Start(context.Background()); err == nil {
		t.Errorf("Start after Stop: got no error, want one")
	}
}

// The smoke test CI runs: a few simulated peers against one real daemon,
// signed and unsigned; the daemon lists every disk and finds them with
// where. No timing is asserted.
func TestSmoke_DaemonListsSimulatedPeers(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the process-level smoke test")
	}
	for _, keyed := range []bool{false, true} {
		t.Run(fmt.Sprintf("keyed=%v", keyed), func(t *testing.T) {
			t.Parallel()
			const peers, disks = 3, 5
			cfg := Config{Peers: peers, DisksPerPeer: disks,
				NodePrefix: "smoke", Rate: 500, AnnounceEvery: 500 * time.Millisecond, AnswerRequests: true,
				MaxDatagrams: 10000, MaxDuration: time.Minute}
			o := daemonOpts{node: "target"}
			if keyed {
				cfg.Key = testKey
				o.keys = []string{base64.StdEncoding.EncodeToString(testKey)}
			}
			d := startDaemon(t, o)
			cfg.Group, cfg.Port = d.group, d.port
			g, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := g.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			defer g.Stop()
			eventually(t, 20*time.Second, "the daemon lists every simulated disk", func() (bool, string) {
				n, total, err := d.remoteDisks("smoke-")
				return err == nil && n == peers && total == peers*disks,
					fmt.Sprintf("got %d peers with %d disks (%v), want %d with %d", n, total, err, peers, peers*disks)
			})
			// The local disk comes with the daemon's first blkid run, which
			// may end after the peers are heard.
			eventually(t, 10*time.Second, "list holds every disk", func() (bool, string) {
				var list []struct{ Node, Label string }
				err := d.query("list --json", &list)
				return err == nil && len(list) == peers*disks+1,
					fmt.Sprintf("got %d disks (%v), want %d", len(list), err, peers*disks+1)
			})
			c, err := d.dialRaw()
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			a, err := c.Do("where " + g.Label(2, 4))
			if err != nil || !a.OK() || !strings.Contains(strings.Join(a.Lines, "\n"), g.Node(2)) {
				t.Errorf("where %s: got %+v %v, want .ok naming %s", g.Label(2, 4), a, err, g.Node(2))
			}
			g.Stop()
			if st := g.Stats(); st.Sent == 0 || st.SendErrors != 0 {
				t.Errorf("generator: got %d sent and %d send errors, want some sent and none failed", st.Sent, st.SendErrors)
			}
		})
	}
}

// A short Flood with a hostile half against a keyed daemon: every valid
// peer is listed, and each hostile kind is counted by its drop reason.
func TestSmoke_HostileFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the process-level smoke test")
	}
	t.Parallel()
	d := startDaemon(t, daemonOpts{node: "target", keys: []string{base64.StdEncoding.EncodeToString(testKey)}})
	cfg := Config{Group: d.group, Port: d.port, Peers: 4, DisksPerPeer: 20, NodePrefix: "flood",
		Key: testKey, Mode: Flood, Rate: 2000, Hostile: 0.5, MaxDatagrams: 3000, MaxDuration: 20 * time.Second}
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-g.Done():
	case <-time.After(30 * time.Second):
		t.Fatalf("a flood of %d datagrams did not end within 30s", cfg.MaxDatagrams)
	}
	st := g.Stats()
	if st.Sent < cfg.MaxDatagrams || st.Hostile < st.Sent/3 {
		t.Errorf("generator: got %d sent, %d hostile; want %d sent, about half hostile", st.Sent, st.Hostile, cfg.MaxDatagrams)
	}
	eventually(t, 10*time.Second, "each hostile kind counted", func() (bool, string) {
		s, err := d.status()
		if err != nil {
			return false, err.Error()
		}
		for _, k := range HostileKinds {
			if s.Drops[ExpectedDrop(k, true)] == 0 {
				return false, fmt.Sprintf("no %q drop for %s in %v", ExpectedDrop(k, true), k, s.Drops)
			}
		}
		n, _, err := d.remoteDisks("flood-")
		return err == nil && n == cfg.Peers, fmt.Sprintf("got %d flood peers (%v), want %d", n, err, cfg.Peers)
	})
}
