package bench

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// Sizes of the cluster benchmarks: full, short.
func clusterSizes(sc scale) (hosts, window, changes int) {
	if sc.name == "full" {
		return 20, 60, 50
	}
	return 3, 3, 3
}

// clusterBed is a bed of cluster daemons on lo (profile lan), each on its
// own multicast port so that only the cluster connects them; every host
// joins host 0.
func clusterBed(t *testing.T, hosts int, o bed.Options) *bed.Bed {
	t.Helper()
	ports, mports := make([]int, hosts), make([]int, hosts)
	for i := range hosts {
		ports[i] = bed.FreeTCPUDPPort(t)
		p, err := bed.FreeUDPPort()
		if err != nil {
			t.Fatal(err)
		}
		mports[i] = p
	}
	o.Hosts, o.Mode = hosts, bed.Lo
	o.Configure = func(i int, c *config.Config) {
		c.Multicast.Port = mports[i]
		c.Cluster = config.Cluster{Enabled: true, Bind: "127.0.0.1:" + strconv.Itoa(ports[i]), Profile: "lan"}
		if i > 0 {
			c.Cluster.Join = []string{"127.0.0.1:" + strconv.Itoa(ports[0])}
		}
	}
	return bed.New(t, o)
}

func clusterOf(t *testing.T, h *bed.Host) *messages.ClusterStatus {
	t.Helper()
	st, err := h.Status()
	if err != nil || st.Cluster == nil {
		t.Fatalf("%s: status.cluster %v (%v)", h.Name, st, err)
	}
	return st.Cluster
}

// TestBenchClusterMassStart: N cluster daemons (2 disks each) started
// together; the time until every one lists every disk, the CPU each
// used by then, and the bytes each sent (memberlist's sockets).
func TestBenchClusterMassStart(t *testing.T) {
	sc := sizes(t)
	hosts, _, _ := clusterSizes(sc)
	b := clusterBed(t, hosts, bed.Options{DeferStart: true})
	first, _, err := b.StartAll()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.WaitConverged(context.Background(), 0, 120*time.Second); err != nil {
		t.Fatal(err)
	}
	took := time.Since(first)
	var cpu []time.Duration
	var bytes, maxBytes uint64
	for _, h := range b.Hosts {
		ps, err := h.ProcStat()
		if err != nil {
			t.Fatal(err)
		}
		cpu = append(cpu, ps.CPU)
		n := clusterOf(t, h).BytesOut
		bytes += n
		maxBytes = max(maxBytes, n)
	}
	cs := Summarize(cpu)
	report(t, sc, "cluster-mass-start", fmt.Sprintf("mode=lo hosts=%d disks/host=2 profile=lan", hosts), []figure{
		{"start of the first until all list all", r(took).String(), ""},
		{"CPU per daemon until then", cs.String(), ""},
		{"bytes sent per host (mean, max)", fmt.Sprintf("%d, %d", bytes/uint64(hosts), maxBytes), ""},
	})
}

// TestBenchClusterBandwidth: steady-state bytes per second each host's
// memberlist sends, for a host with 1,000 disks and hosts with 10, over a
// window longer than the lan profile's push/pull interval (30 s). Target:
// independent of the disk count.
func TestBenchClusterBandwidth(t *testing.T) {
	sc := sizes(t)
	_, window, _ := clusterSizes(sc)
	b := clusterBed(t, 3, bed.Options{Disks: func(i int) []bed.Disk {
		if i == 0 {
			return bed.Disks(i, sc.bwBig)
		}
		return bed.Disks(i, sc.bwSmall)
	}})
	converge(t, b, 60*time.Second)
	time.Sleep(2 * time.Second) // the requests and answers of the start are over
	t0 := time.Now()
	big0, small0 := clusterOf(t, b.Hosts[0]).BytesOut, clusterOf(t, b.Hosts[1]).BytesOut
	time.Sleep(time.Duration(window) * time.Second)
	secs := time.Since(t0).Seconds()
	big1, small1 := clusterOf(t, b.Hosts[0]).BytesOut, clusterOf(t, b.Hosts[1]).BytesOut
	bigBps, smallBps := float64(big1-big0)/secs, float64(small1-small0)/secs
	ratio := bigBps / smallBps
	report(t, sc, "cluster-bandwidth", fmt.Sprintf("mode=lo hosts=3 profile=lan window=%ds", window), []figure{
		{fmt.Sprintf("host with %d disks", sc.bwBig), fmt.Sprintf("%.0f B/s", bigBps), ""},
		{fmt.Sprintf("host with %d disks", sc.bwSmall), fmt.Sprintf("%.0f B/s", smallBps), ""},
		{"ratio", fmt.Sprintf("%.2f", ratio), verdict("independent of disk count (ratio < 1.5)", ratio < 1.5)},
		{"inventory sent once (big host, at start)", fmt.Sprintf("%d B", big0), ""},
	})
}

// TestBenchClusterLatency: change-to-visibility over the cluster alone, as
// TestBenchLatency measures it over multicast: a disk added on A and
// refreshed, B asked `where` every 0.5 ms until it names A.
func TestBenchClusterLatency(t *testing.T) {
	sc := sizes(t)
	_, _, changes := clusterSizes(sc)
	b := clusterBed(t, 3, bed.Options{})
	converge(t, b, 60*time.Second)
	conns := dialAll(t, b)
	n := len(b.Hosts)
	var lat []time.Duration
	for i := range changes {
		ai, bi := i%n, (i+1)%n
		uuid := bed.UUID(ai, 2000+i)
		if err := b.Hosts[ai].ChangeDisks(append(bed.Disks(ai, 2), bed.Disk{Device: "/dev/disk/bed/new", UUID: uuid,
			Label: fmt.Sprintf("change %d", i), Type: "xfs"})); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if ans, err := conns[ai].Do("refresh"); err != nil || !ans.OK() {
			t.Fatalf("refresh: %+v %v", ans, err)
		}
		for {
			ans, err := conns[bi].Do("where " + uuid)
			if err != nil {
				t.Fatal(err)
			}
			if ans.Summary() == "on "+b.Hosts[ai].Name {
				lat = append(lat, time.Since(start))
				break
			}
			if time.Since(start) > 10*time.Second {
				t.Fatalf("change %d not visible on %s after 10s", i, b.Hosts[bi].Name)
			}
			time.Sleep(500 * time.Microsecond)
		}
	}
	s := Summarize(lat)
	report(t, sc, "cluster-latency", fmt.Sprintf("mode=lo hosts=%d changes=%d profile=lan poll=0.5ms", n, len(lat)), []figure{
		{"refresh on A until B lists it", s.String(), ""},
	})
}
