package loadgen

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The daemon under test: a real diskd-actors process, built once per test
// binary from ./cmd/diskd-actors without -race (benchmarks measure the
// binary users run), configured as test/main_test.go does: multicast on lo,
// a fake blkid (cat of a file), no state file.

var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

// daemonBinary builds the daemon on first use.
func daemonBinary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "diskd-loadgen-bin-"); buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "diskd-actors")
		out, err := exec.Command("go", "build", "-o", binPath, "../../cmd/diskd-actors").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("building diskd-actors: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return binPath
}

// daemonOpts configures a daemon.
type daemonOpts struct {
	node        string
	group       string
	port        int
	keys        []string      // base64 authentication keys
	pin         string        // CPU list for taskset -c; "" runs unpinned
	peerTimeout time.Duration // default 10m
}

type daemon struct {
	tb     testing.TB
	dir    string
	socket string
	cmd    *exec.Cmd
	log    *os.File
	exited chan struct{}
	err    error
}

// localLabel is the label of the daemon's one local disk.
const localLabel = "local-disk"

// startDaemon starts a daemon and waits until it answers on its socket;
// it is stopped when the test ends.
func startDaemon(tb testing.TB, o daemonOpts) *daemon {
	tb.Helper()
	bin := daemonBinary(tb)
	dir := tb.TempDir()
	d := &daemon{tb: tb, dir: dir, socket: filepath.Join(dir, "s"), exited: make(chan struct{})}
	blkid := filepath.Join(dir, "blkid.txt")
	disk := "DEVNAME=/dev/sda1\nLABEL=" + localLabel + "\nUUID=0b3c1d2e-0000-4000-8000-000000000001\nTYPE=ext4\n\n"
	if err := os.WriteFile(blkid, []byte(disk), 0o600); err != nil {
		tb.Fatal(err)
	}
	if o.peerTimeout == 0 {
		o.peerTimeout = 10 * time.Minute
	}
	auth := ""
	if len(o.keys) > 0 {
		auth = fmt.Sprintf("auth:\n  keys: [%s]\n", strings.Join(o.keys, ", "))
	}
	cfg := fmt.Sprintf(`node: %s
socket: %s
multicast:
  group: %s
  port: %d
  interface: lo
  ttl: 1
announce:
  interval: 2s
blkid:
  command: ["cat", %q]
  interval: 1h
  timeout: 2s
peer:
  timeout: %s
state_file: ""
mounts:
  interval: 1h
  file: /proc/self/mountinfo
log:
  level: info
%s`, o.node, d.socket, o.group, o.port, blkid, o.peerTimeout, auth)
	cfgFile := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		tb.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "daemon.log"))
	if err != nil {
		tb.Fatal(err)
	}
	d.log = logf
	args := []string{bin, "daemon", "--config", cfgFile}
	if o.pin != "" {
		args = append([]string{"taskset", "-c", o.pin}, args...)
	}
	d.cmd = exec.Command(args[0], args[1:]...)
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	d.cmd.Env = append(os.Environ(), "HOME="+dir)
	if err := d.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { d.err = d.cmd.Wait(); close(d.exited) }()
	tb.Cleanup(d.stop)
	d.waitSocket()
	return d
}

func (d *daemon) pid() int { return d.cmd.Process.Pid }

func (d *daemon) logText() string {
	b, _ := os.ReadFile(filepath.Join(d.dir, "daemon.log"))
	return string(b)
}

func (d *daemon) waitSocket() {
	d.tb.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-d.exited:
			d.tb.Fatalf("daemon exited early: %v\n%s", d.err, d.logText())
		default:
		}
		if c, err := dialRaw(d.socket); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	d.tb.Fatalf("daemon did not answer on %s within 15s\n%s", d.socket, d.logText())
}

// stop sends SIGTERM and fails the test unless the daemon exits 0 within
// 15 seconds.
func (d *daemon) stop() {
	select {
	case <-d.exited:
	default:
		d.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-d.exited:
		case <-time.After(15 * time.Second):
			d.cmd.Process.Kill()
			<-d.exited
			d.tb.Errorf("daemon did not stop on SIGTERM within 15s\n%s", d.logText())
		}
		if d.err != nil {
			d.tb.Errorf("daemon exit: got %v, want status 0\n%s", d.err, d.logText())
		}
	}
	d.log.Close()
}

// rawConn is a connection to the daemon's socket, spoken to by hand.
type rawConn struct {
	net.Conn
	r *bufio.Reader
}

// dialRaw connects and reads the greeting.
func dialRaw(socket string) (*rawConn, error) {
	c, err := net.Dial("unix", socket)
	if err != nil {
		return nil, err
	}
	rc := &rawConn{Conn: c, r: bufio.NewReaderSize(c, 64*1024)}
	rc.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := rc.r.ReadString('\n'); err != nil {
		c.Close()
		return nil, fmt.Errorf("greeting: %w", err)
	}
	return rc, nil
}

// do sends one command and reads its answer: data lines (dot-stuffing
// removed) until the status line.
func (c *rawConn) do(cmd string) (lines []string, status string, err error) {
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := c.Write([]byte(cmd + "\n")); err != nil {
		return nil, "", err
	}
	for {
		l, err := c.r.ReadString('\n')
		if err != nil {
			return lines, "", fmt.Errorf("reading the answer to %q: %w", cmd, err)
		}
		l = strings.TrimSuffix(l, "\n")
		if strings.HasPrefix(l, ".") && !strings.HasPrefix(l, "..") {
			return lines, l, nil
		}
		lines = append(lines, strings.TrimPrefix(l, "."))
	}
}

// query runs one command on a fresh connection and decodes its one JSON
// line into v.
func (d *daemon) query(cmd string, v any) error {
	c, err := dialRaw(d.socket)
	if err != nil {
		return err
	}
	defer c.Close()
	lines, status, err := c.do(cmd)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(status, ".ok") || len(lines) != 1 {
		return fmt.Errorf("%s: got status %q and %d lines, want .ok and 1 line", cmd, status, len(lines))
	}
	return json.Unmarshal([]byte(lines[0]), v)
}

// daemonStatus is the part of `status --json` the benchmarks read.
type daemonStatus struct {
	Peers   int `json:"peers"`
	Network struct {
		DatagramsIn  uint64 `json:"datagrams_in"`
		DatagramsOut uint64 `json:"datagrams_out"`
		OwnIn        uint64 `json:"own_datagrams_in"`
	} `json:"network"`
	Drops map[string]uint64 `json:"drops"`
}

func (d *daemon) status() (*daemonStatus, error) {
	var st daemonStatus
	return &st, d.query("status --json", &st)
}

// peerInfo is one entry of `peers --json`.
type peerInfo struct {
	Node  string `json:"node"`
	State string `json:"state"`
	Disks int    `json:"disks"`
}

func (d *daemon) peers() ([]peerInfo, error) {
	var ps []peerInfo
	return ps, d.query("peers --json", &ps)
}

// remoteDisks sums the disks of the peers whose name starts with prefix
// and counts those peers.
func (d *daemon) remoteDisks(prefix string) (peers, disks int, err error) {
	ps, err := d.peers()
	for _, p := range ps {
		if strings.HasPrefix(p.Node, prefix) {
			peers++
			disks += p.Disks
		}
	}
	return peers, disks, err
}

// memoryKB returns VmRSS and VmHWM of pid, in KiB.
func memoryKB(pid int) (rss, hwm int, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "VmRSS:":
			rss, _ = strconv.Atoi(f[1])
		case "VmHWM:":
			hwm, _ = strconv.Atoi(f[1])
		}
	}
	if rss == 0 {
		return 0, 0, errors.New("no VmRSS in /proc/PID/status")
	}
	return rss, hwm, nil
}

// schedTimes sums, over the threads of pid, the time spent running and
// the time spent runnable but waiting for a CPU (/proc/PID/task/*/schedstat).
func schedTimes(pid int) (run, wait time.Duration, err error) {
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

// freeUDPPort returns a UDP port nobody uses now.
func freeUDPPort(tb testing.TB) int {
	tb.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// eventually polls cond every 50ms until it holds or within passes.
func eventually(tb testing.TB, within time.Duration, what string, cond func() (bool, string)) {
	tb.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: not true within %v; last: %s", what, within, state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
