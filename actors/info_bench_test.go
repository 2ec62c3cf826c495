package actors

import (
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
)

// Benchmarks of Info at scale, on a real actor system with an in-memory
// transport and a fake clock; peers' announcements go to Info directly.
// Results are in docs/benchmarks.md.

func benchDaemon(b *testing.B, clock *fakeClock, edit func(*config.Config)) *Daemon {
	b.Helper()
	dir := b.TempDir()
	blkid := filepath.Join(dir, "blkid.txt")
	if err := os.WriteFile(blkid, []byte(diskA), 0o600); err != nil {
		b.Fatal(err)
	}
	cfg := config.Fast()
	cfg.Node, cfg.Socket = "a", filepath.Join(dir, "s")
	cfg.Blkid.Command, cfg.Blkid.Interval = []string{"cat", blkid}, time.Hour
	cfg.Announce.Interval, cfg.Peer.Timeout = time.Hour, 3*time.Hour
	if edit != nil {
		edit(cfg)
	}
	h := &transport.Hub{}
	dm, err := Start(Options{Config: cfg, Version: "bench", Transport: h.Transport("a"), Now: clock.now, Ticks: clock.ticks})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(dm.Stop)
	return dm
}

func ask[T any](b *testing.B, dm *Daemon, q any) T {
	res, err := dm.sys.Root.RequestFuture(dm.deps.pids.info, q, 30*time.Second).Result()
	if err != nil {
		b.Fatal(err)
	}
	return res.(T)
}

func benchDisks(node string, gen, n int) []messages.Disk {
	out := make([]messages.Disk, n)
	for i := range out {
		out[i] = messages.Disk{UUID: benchUUID(node, gen, i),
			Label: fmt.Sprintf("%s g%d d%d", node, gen, i), Device: fmt.Sprintf("/dev/sd%d", i), Type: "ext4"}
	}
	return out
}

// benchUUID is unique per node, generation and index.
func benchUUID(node string, gen, i int) string {
	h := fnv.New64a()
	h.Write([]byte(node))
	return fmt.Sprintf("%08x-%04x-4000-8000-%012x", gen, i, h.Sum64()&0xffffffffffff)
}

// announce sends Info one full generation of node's inventory.
func announce(dm *Daemon, clock *fakeClock, node string, gen uint64, disks []messages.Disk) {
	dm.deps.stats.infoQueue.Add(1)
	dm.sys.Root.Send(dm.deps.pids.info, &messages.PeerAnnounced{Node: node, Instance: "bench", Addr: "127.0.0.1:1",
		Seq: gen, Full: true, Gen: gen, Disks: disks, At: clock.now()})
}

// where at 200 peers × 100 disks and 100,000 last-seen records: each peer
// announced five earlier generations of 100 other disks. Reports the p99 of
// the round trip of one where (request to Info and answer).
func BenchmarkInfo_Where200x100With100kSightings(b *testing.B) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	dm := benchDaemon(b, clock, nil)
	for gen := 1; gen <= 6; gen++ {
		for p := range 200 {
			node := fmt.Sprintf("peer%03d", p)
			announce(dm, clock, node, uint64(gen), benchDisks(node, gen, 100))
		}
		clock.advance(time.Second)
	}
	st := ask[*messages.Status](b, dm, &messages.GetStatus{})
	if st.Limits.Disks != 20000 || st.Limits.Sightings != 100000 {
		b.Fatalf("setup: %+v", st.Limits)
	}
	queries := []string{"peer042 g6 d7", "peer199 g2 d99", strings.ToUpper(benchUUID("peer007", 6, 3)), "nothing"}
	if q := os.Getenv("WHERE_QUERY"); q != "" {
		queries = []string{q}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		ask[*messages.WhereResult](b, dm, &messages.Where{Query: queries[i%len(queries)]})
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// Forgetting 10,000 peers of 10 disks each, with 10 last-seen records each
// (100,000 records): from the tick that finds them all past
// peer.forget_after to the answer of the next query.
func BenchmarkInfo_Forget10kPeers(b *testing.B) {
	for range b.N {
		b.StopTimer()
		clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		dm := benchDaemon(b, clock, nil)
		for gen := 1; gen <= 2; gen++ {
			for p := range 10000 {
				node := fmt.Sprintf("peer%05d", p)
				announce(dm, clock, node, uint64(gen), benchDisks(node, gen, 10))
			}
		}
		if st := ask[*messages.Status](b, dm, &messages.GetStatus{}); st.Limits.Peers != 10000 || st.Limits.Sightings != 100000 {
			b.Fatalf("setup: %+v", st.Limits)
		}
		runtime.GC()
		b.StartTimer()
		clock.advance(dm.deps.cfg.Peer.ForgetAfter + dm.deps.cfg.Peer.Timeout + time.Hour)
		for ask[*messages.Status](b, dm, &messages.GetStatus{}).Limits.Peers != 0 {
		}
		b.StopTimer()
		if st := ask[*messages.Status](b, dm, &messages.GetStatus{}); st.Limits.Sightings != 0 || st.Limits.Disks != 0 {
			b.Fatalf("after forgetting: %+v", st.Limits)
		}
		dm.Stop()
	}
}

// One insert into the last-seen records at their cap (100,000): it evicts
// the oldest record.
func BenchmarkSightings_InsertAtCap(b *testing.B) {
	s := newSightings(maxSightings)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range maxSightings {
		s.put(messages.Sighting{Node: fmt.Sprintf("n%d", i%1000), At: t0.Add(time.Duration(i) * time.Millisecond), Disk: disk(i)})
	}
	recs := make([]messages.Sighting, 1024)
	for i := range recs {
		recs[i] = messages.Sighting{Node: "new", Disk: disk(maxSightings + i)}
	}
	b.ResetTimer()
	for i := range b.N {
		r := recs[i%len(recs)]
		r.At = t0.Add(time.Hour + time.Duration(i)*time.Millisecond)
		s.put(r)
	}
	if s.len() != maxSightings {
		b.Fatalf("%d records, want the cap", s.len())
	}
}

// Memory at the default budget: 200 peers × 1,000 disks (limits.max_disks,
// 200,000), announced to Info. Reports the process RSS and the heap in use
// per 1,000 peer disks (the test binary's own baseline included in RSS).
func BenchmarkInfo_MemoryAtBudget(b *testing.B) {
	for range b.N {
		clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		dm := benchDaemon(b, clock, nil)
		var before runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for p := range 200 {
			node := fmt.Sprintf("peer%03d", p)
			announce(dm, clock, node, 1, benchDisks(node, 1, 1000))
		}
		// One more peer is refused whole: the budget is full.
		announce(dm, clock, "peer-extra", 1, benchDisks("peer-extra", 1, 10))
		st := ask[*messages.Status](b, dm, &messages.GetStatus{})
		if st.Limits.Disks != 200000 || st.Drops["over_budget"] != 1 {
			b.Fatalf("setup: %+v drops %v", st.Limits, st.Drops)
		}
		var after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapInuse-before.HeapInuse)/200/(1<<10), "heap-KiB/1000disks")
		b.ReportMetric(float64(rssBytes())/(1<<20), "RSS-MiB")
		b.ReportMetric(float64(st.Limits.Bytes)/(1<<20), "estimate-MiB")
		dm.Stop()
	}
}

// rssBytes reads the resident set size of this process.
func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, rss int64
	fmt.Sscan(string(b), &size, &rss)
	return rss * int64(os.Getpagesize())
}
