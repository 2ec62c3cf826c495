package bed

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// ProcStat is a sample of a process's CPU time and memory from /proc.
type ProcStat struct {
	At time.Time
	// CPU is user plus system time of the process's own threads
	// (/proc/PID/stat utime+stime); ChildCPU that of its waited-for
	// children, such as blkid runs (cutime+cstime).
	CPU, ChildCPU time.Duration
	// RSS is the resident set (VmRSS); HWM its peak (VmHWM). Bytes.
	RSS, HWM int64
	// RSSAnon and RSSFile split RSS (RssAnon, RssFile): the heap, stacks
	// and runtime, against the pages of the binary and libraries mapped.
	RSSAnon, RSSFile int64
}

// clockTick is USER_HZ, the unit of /proc/PID/stat times: 100 on every
// Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

// ProcStat samples the daemon's CPU time and memory.
func (h *Host) ProcStat() (ProcStat, error) {
	pid := h.PID()
	if pid == 0 {
		return ProcStat{}, fmt.Errorf("%s: %w", h.Name, errStopped)
	}
	return ReadProcStat(pid)
}

// ReadProcStat samples the CPU time and memory of process pid.
func ReadProcStat(pid int) (ProcStat, error) {
	s := ProcStat{At: time.Now()}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, err
	}
	// The command name (field 2) may hold spaces: fields count from the
	// last ')'.
	rp := strings.LastIndexByte(string(b), ')')
	if rp < 0 {
		return s, fmt.Errorf("/proc/%d/stat: no ')' in %q", pid, b)
	}
	f := strings.Fields(string(b[rp+1:]))
	// f[0] is field 3 (state); utime, stime, cutime, cstime are fields
	// 14 to 17.
	if len(f) < 15 {
		return s, fmt.Errorf("/proc/%d/stat: %d fields after the name, want at least 15", pid, len(f))
	}
	var t [4]int64
	for i := range t {
		if t[i], err = strconv.ParseInt(f[11+i], 10, 64); err != nil {
			return s, fmt.Errorf("/proc/%d/stat field %d: %w", pid, 14+i, err)
		}
	}
	s.CPU = time.Duration(t[0]+t[1]) * clockTick
	s.ChildCPU = time.Duration(t[2]+t[3]) * clockTick
	b, err = os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			s.RSS = kb << 10
		case "VmHWM:":
			s.HWM = kb << 10
		case "RssAnon:":
			s.RSSAnon = kb << 10
		case "RssFile:":
			s.RSSFile = kb << 10
		}
	}
	return s, nil
}

// SchedStat sums, over the threads of process pid, the time spent running
// and the time spent runnable but waiting for a CPU
// (/proc/PID/task/*/schedstat): how much a daemon was starved.
func SchedStat(pid int) (run, wait time.Duration, err error) {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, t := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", pid, t.Name()))
		if err != nil {
			continue // the thread exited
		}
		f := strings.Fields(string(b))
		if len(f) < 2 {
			continue
		}
		r, _ := strconv.ParseInt(f[0], 10, 64)
		w, _ := strconv.ParseInt(f[1], 10, 64)
		run += time.Duration(r)
		wait += time.Duration(w)
	}
	return run, wait, nil
}
