package loadgen

import (
	"testing"

	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// BenchmarkDecodeDatagram measures decoding alone, on the datagrams a
// simulated peer with 100 disks sends (a full chunk and an announce,
// signed and unsigned), to separate the codec's cost from the socket's in
// the ingest benchmark: through one wire.Decoder, as the daemon's reader
// decodes, and (fresh) through wire.DecodeDatagram, which sets up the
// keys' HMACs anew each time.
func BenchmarkDecodeDatagram(b *testing.B) {
	for _, c := range []struct {
		name  string
		chunk bool
		key   []byte
	}{
		{"chunk/unsigned", true, nil},
		{"chunk/signed", true, testKey},
		{"announce/unsigned", false, nil},
		{"announce/signed", false, testKey},
	} {
		b.Run(c.name, func(b *testing.B) {
			g, err := New(Config{Group: "239.255.77.9", Port: 9, Peers: 1, DisksPerPeer: 100, Key: c.key, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			p := g.peers[0]
			idx := -1
			if c.chunk {
				idx = 0
			}
			var mac = newWorker(g).mac
			dg := p.build(nil, idx, mac)
			var keys [][]byte
			if c.key != nil {
				keys = [][]byte{c.key}
			}
			env, err := wire.DecodeDatagram(dg, keys)
			if err != nil {
				b.Fatal(err)
			}
			b.Run("decoder", func(b *testing.B) {
				dec := wire.NewDecoder(keys)
				b.SetBytes(int64(len(dg)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := dec.Decode(dg); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(env.Disks)), "disks/op")
			})
			b.Run("fresh", func(b *testing.B) {
				b.SetBytes(int64(len(dg)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := wire.DecodeDatagram(dg, keys); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(env.Disks)), "disks/op")
			})
		})
	}
}

// BenchmarkBuildDatagram measures what the generator spends building one
// datagram from its template, which bounds the rate it can offer.
func BenchmarkBuildDatagram(b *testing.B) {
	for _, signed := range []bool{false, true} {
		name := "unsigned"
		var key []byte
		if signed {
			name, key = "signed", testKey
		}
		b.Run(name, func(b *testing.B) {
			g, err := New(Config{Group: "239.255.77.9", Port: 9, Peers: 1, DisksPerPeer: 100, Key: key, Mode: Flood, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			p, mac := g.peers[0], newWorker(g).mac
			buf := make([]byte, 0, 2048)
			b.ReportAllocs()
			for b.Loop() {
				buf = p.next(buf[:0], mac)
			}
		})
	}
}
