package loadgen

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Helpers of the process-level benchmarks (BenchmarkScale,
// BenchmarkIngest). They run only with -bench; `go test` alone runs the
// smoke tests.

// logMachine logs what the figures depend on.
func logMachine(b *testing.B) {
	b.Helper()
	var si unix.Sysinfo_t
	unix.Sysinfo(&si)
	var un unix.Utsname
	unix.Uname(&un)
	b.Logf("machine: %d CPUs, %.1f GiB memory, %s, kernel %s, load average %s",
		runtime.NumCPU(), float64(si.Totalram)*float64(si.Unit)/(1<<30), runtime.Version(),
		unix.ByteSliceToString(un.Release[:]), loadAverage())
}

// loadAverage returns the first three fields of /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// pinOthers pins every thread of this process to the CPUs other than
// cpu, so that the generator does not compete with a daemon pinned to cpu;
// it returns a function that restores the previous affinity. New threads
// inherit the affinity of the thread that creates them.
func pinOthers(cpu int) (restore func(), err error) {
	var orig unix.CPUSet
	if err := unix.SchedGetaffinity(0, &orig); err != nil {
		return nil, err
	}
	set := orig
	set.Clear(cpu)
	if set.Count() == 0 {
		return nil, fmt.Errorf("no CPU other than %d to run on", cpu)
	}
	apply := func(s *unix.CPUSet) error {
		for range 2 { // threads started during the first pass
			tasks, err := os.ReadDir("/proc/self/task")
			if err != nil {
				return err
			}
			for _, t := range tasks {
				tid, _ := strconv.Atoi(t.Name())
				unix.SchedSetaffinity(tid, s) // a thread may have exited
			}
		}
		return nil
	}
	if err := apply(&set); err != nil {
		return nil, err
	}
	return func() { apply(&orig) }, nil
}

// canPin reports whether the daemon can be pinned to CPU 0 with the
// generator elsewhere.
func canPin() (bool, string) {
	if _, err := exec.LookPath("taskset"); err != nil {
		return false, "taskset not found"
	}
	if runtime.NumCPU() < 2 {
		return false, "a single CPU"
	}
	return true, ""
}

// udpRcvbufErrors returns the host-wide UDP RcvbufErrors counter of
// /proc/net/snmp: datagrams the kernel dropped because a socket's receive
// buffer was full (any socket on the host).
func udpRcvbufErrors() uint64 {
	b, err := os.ReadFile("/proc/net/snmp")
	if err != nil {
		return 0
	}
	var head []string
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(l, "Udp: ") {
			continue
		}
		f := strings.Fields(l)
		if head == nil {
			head = f
			continue
		}
		if i := slices.Index(head, "RcvbufErrors"); i > 0 && i < len(f) {
			v, _ := strconv.ParseUint(f[i], 10, 64)
			return v
		}
	}
	return 0
}

// durations summarises a sample.
type durations []time.Duration

// pct returns the p-th percentile (nearest rank), p in [0, 100].
func (d durations) pct(p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(p/100*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func (d durations) String() string {
	return fmt.Sprintf("n=%d min %v p50 %v p90 %v p99 %v max %v", len(d), d.pct(0).Round(time.Microsecond),
		d.pct(50).Round(time.Microsecond), d.pct(90).Round(time.Microsecond), d.pct(99).Round(time.Microsecond),
		d.pct(100).Round(time.Microsecond))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
