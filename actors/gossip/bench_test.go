package gossip

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkEngine_AnnounceKnown is the steady state: announces of
// generations already delivered, from 200 peers.
func BenchmarkEngine_AnnounceKnown(b *testing.B) {
	e := New(Config{Node: self, Instance: selfID, SourceRate: 1e12, SourceBurst: 1e12})
	const peers = 200
	envs := make([]*struct {
		src, node, inst string
	}, peers)
	for i := range envs {
		envs[i] = &struct{ src, node, inst string }{fmt.Sprintf("10.0.%d.%d:1", i/256, i%256), fmt.Sprintf("n%d", i), fmt.Sprintf("%016x", i+1)}
		e.Receive(t0, envs[i].src, chunk(envs[i].node, envs[i].inst, 1, 1, 1, 0, "u"))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		p := envs[i%peers]
		e.Receive(t0.Add(time.Duration(i)), p.src, ann(p.node, p.inst, uint64(2+i/peers), 1, 1))
	}
}

// BenchmarkEngine_Assemble100 assembles one peer's 100-disk generation
// from 13 chunks, per iteration.
func BenchmarkEngine_Assemble100(b *testing.B) {
	e := New(Config{Node: self, Instance: selfID, SourceRate: 1e12, SourceBurst: 1e12})
	b.ReportAllocs()
	seq := uint64(0)
	for i := range b.N {
		cs := chunksOf("n", peerA, uint64(i+1), 100, 8)
		for _, c := range cs {
			seq++
			c.Seq = seq
			e.Receive(t0, srcA, c)
		}
	}
}
