package bench

import (
	"fmt"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// TestBenchBandwidth measures steady-state traffic per host for a host
// with many disks (1,000) and hosts with few (10): after all hosts list
// every disk and a few quiet intervals, the growth of each host's
// network.bytes_out (status --json) over N announce intervals, divided by
// the wall time between the two samples. Also shown: what sending the
// whole inventory once cost the big host (its bytes_out when everyone had
// it). Target: steady-state bytes per second independent of the disk
// count.
func TestBenchBandwidth(t *testing.T) {
	sc := sizes(t)
	announce := sc.bwAnnounce
	peerTimeout := max(5*announce, time.Second)
	b := bed.New(t, bed.Options{Hosts: 3, Mode: mode(t), Announce: announce, PeerTimeout: peerTimeout,
		Disks: func(i int) []bed.Disk {
			if i == 0 {
				return bed.Disks(i, sc.bwBig)
			}
			return bed.Disks(i, sc.bwSmall)
		}})
	converge(t, b, 60*time.Second)
	big, small := b.Hosts[0], b.Hosts[1]
	initial, err := big.Status()
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * announce) // requests and resends of the start are over

	sample := func() (at time.Time, bigSt, smallSt *messages.Status) {
		at = time.Now()
		var err error
		if bigSt, err = big.Status(); err != nil {
			t.Fatal(err)
		}
		if smallSt, err = small.Status(); err != nil {
			t.Fatal(err)
		}
		return at, bigSt, smallSt
	}
	t0, big0, small0 := sample()
	time.Sleep(time.Duration(sc.bwIntervals) * announce)
	t1, big1, small1 := sample()
	secs := t1.Sub(t0).Seconds()
	rate := func(a, b *messages.Status) (bps, dps float64) {
		return float64(b.Network.BytesOut-a.Network.BytesOut) / secs, float64(b.Network.DatagramsOut-a.Network.DatagramsOut) / secs
	}
	bigBps, bigDps := rate(big0, big1)
	smallBps, smallDps := rate(small0, small1)
	ratio := bigBps / smallBps
	perAnnounce := func(bps float64) float64 { return bps * announce.Seconds() }
	report(t, sc, "bandwidth",
		fmt.Sprintf("mode=%s hosts=3 (disks %d, %d, %d) announce=%v window=%d intervals (%.1fs)",
			mode(t), sc.bwBig, sc.bwSmall, sc.bwSmall, announce, sc.bwIntervals, secs),
		[]figure{
			{fmt.Sprintf("host with %d disks, steady", sc.bwBig), fmt.Sprintf("%.0f B/s, %.2f datagrams/s (%.0f B per interval)", bigBps, bigDps, perAnnounce(bigBps)), ""},
			{fmt.Sprintf("host with %d disks, steady", sc.bwSmall), fmt.Sprintf("%.0f B/s, %.2f datagrams/s (%.0f B per interval)", smallBps, smallDps, perAnnounce(smallBps)), ""},
			{"ratio big / small", fmt.Sprintf("%.3f", ratio), verdict("independent of disk count (ratio within 0.9..1.1)", ratio > 0.9 && ratio < 1.1)},
			{fmt.Sprintf("start-up, host with %d disks", sc.bwBig), fmt.Sprintf("%d B in %d datagrams (%d chunks) until all listed it",
				initial.Network.BytesOut, initial.Network.DatagramsOut, initial.Announce.Chunks), ""},
			{"big host received, steady", fmt.Sprintf("%.0f B/s", float64(big1.Network.BytesIn-big0.Network.BytesIn)/secs), ""},
		})
}
