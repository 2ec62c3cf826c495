package bench

import (
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/test/bed"
)

// TestBenchIdle measures what an idle daemon costs: a few hosts with a few
// disks each find each other, then nobody touches them for the window
// (60 s) while the test only reads /proc: CPU is the growth of utime+stime
// (/proc/PID/stat) over the window, memory the resident set (VmRSS) at its
// end and its peak (VmHWM). Measured with the production timers (the
// defaults: announce 30s, blkid 30s, mounts 10s, peer.timeout 90s) and, in
// the full run, with the fast test timers of config.Fast (1s, 1s, 1s, 3s)
// for comparison. The blkid runs are a `cat` here; their CPU is reported
// apart (cutime+cstime). Each is measured for two builds of the daemon:
// plain `go build` (cgo on, libc mapped) and CGO_ENABLED=0 (Taskfile's
// build), the test timers with the plain build only; DISKD_BED_BIN
// measures that one binary instead. Targets: CPU < 0.2 %, RSS < 30 MB,
// and issue 9's RSS ≤ 15 MB with the production timers.
func TestBenchIdle(t *testing.T) {
	sc := sizes(t)
	type profile struct {
		name                              string
		announce, blkid, mounts, peerTime time.Duration
	}
	profiles := []profile{{"defaults", 30 * time.Second, 30 * time.Second, 10 * time.Second, 90 * time.Second}}
	if sc.idleFast {
		profiles = append(profiles, profile{"config.Fast", time.Second, time.Second, time.Second, 3 * time.Second})
	}
	type run struct {
		profile
		build idleBuild
	}
	var runs []run
	for i, p := range profiles {
		for _, bu := range idleBuilds() {
			if i == 0 || !bu.Static { // the test timers with the default build only
				runs = append(runs, run{p, bu})
			}
		}
	}
	for _, ru := range runs {
		p := ru.profile
		b := bed.New(t, bed.Options{Hosts: sc.idleHosts, Mode: mode(t), Announce: p.announce, PeerTimeout: p.peerTime,
			BlkidInterval: p.blkid, MountsInterval: p.mounts, Disks: func(i int) []bed.Disk { return bed.Disks(i, 5) },
			Bin: ru.build.bin(t)})
		converge(t, b, 30*time.Second)
		var startCPU []time.Duration
		for _, h := range b.Hosts {
			s, err := h.ProcStat()
			if err != nil {
				t.Fatal(err)
			}
			startCPU = append(startCPU, s.CPU)
		}
		time.Sleep(time.Second) // the answers to our queries are done
		before := make([]bed.ProcStat, len(b.Hosts))
		for i, h := range b.Hosts {
			s, err := h.ProcStat()
			if err != nil {
				t.Fatal(err)
			}
			before[i] = s
		}
		time.Sleep(sc.idleWindow)
		var cpu, child []float64
		var rss, hwm, anon, file []int64
		for i, h := range b.Hosts {
			s, err := h.ProcStat()
			if err != nil {
				t.Fatalf("%s after the idle window: %v", h.Name, err)
			}
			window := s.At.Sub(before[i].At)
			cpu = append(cpu, pct(s.CPU-before[i].CPU, window))
			child = append(child, pct(s.ChildCPU-before[i].ChildCPU, window))
			rss, hwm = append(rss, s.RSS), append(hwm, s.HWM)
			anon, file = append(anon, s.RSSAnon), append(file, s.RSSFile)
		}
		slices.Sort(cpu)
		slices.Sort(rss)
		maxCPU, maxRSS := cpu[len(cpu)-1], rss[len(rss)-1]
		report(t, sc, "idle",
			fmt.Sprintf("mode=%s build=%s timers=%s (announce %v, blkid %v, mounts %v, peer.timeout %v) hosts=%d disks/host=5 window=%v",
				mode(t), ru.build.name, p.name, p.announce, p.blkid, p.mounts, p.peerTime, len(b.Hosts), sc.idleWindow),
			[]figure{
				{"CPU per daemon (utime+stime)", fmt.Sprintf("median %.3f%% max %.3f%% (of one core; tick 10ms = %.3f%%)",
					cpu[len(cpu)/2], maxCPU, pct(10*time.Millisecond, sc.idleWindow)), verdict("< 0.2%", maxCPU < 0.2)},
				{"  blkid children (cutime+cstime)", fmt.Sprintf("max %.3f%%", slices.Max(child)), ""},
				{"resident memory (VmRSS)", fmt.Sprintf("median %s max %s", mb(rss[len(rss)/2]), mb(maxRSS)),
					verdict("< 30 MB", maxRSS < 30e6) + "; " + verdict("≤ 15 MB (issue 9)", maxRSS <= 15e6)},
				{"  anonymous / file-backed", fmt.Sprintf("max %s / max %s (heap, stacks, runtime / binary and libc pages)",
					mb(slices.Max(anon)), mb(slices.Max(file))), ""},
				{"  peak resident (VmHWM)", fmt.Sprintf("max %s", mb(slices.Max(hwm))), ""},
				{"CPU to start and find the peers", Summarize(startCPU).String(), ""},
			})
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// idleBuild is a build of the daemon the idle benchmark measures.
type idleBuild struct {
	name   string
	Static bool
	given  string // DISKD_BED_BIN
}

// idleBuilds are the default build and the static one, or the binary
// DISKD_BED_BIN names (for a before/after comparison).
func idleBuilds() []idleBuild {
	if bin := os.Getenv("DISKD_BED_BIN"); bin != "" {
		return []idleBuild{{name: "DISKD_BED_BIN=" + bin, given: bin}}
	}
	return []idleBuild{{name: "go-build"}, {name: "CGO_ENABLED=0", Static: true}}
}

func (ib idleBuild) bin(t *testing.T) string {
	if ib.given != "" {
		return ib.given
	}
	return bed.BinaryOf(t, bed.Build{Static: ib.Static})
}
