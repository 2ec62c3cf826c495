// Package test runs real diskd-actors processes: daemons on the loopback
// interface with scripted blkid commands, driven through their sockets and
// the client binary. Nothing leaves lo.
package test

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/ipv4"

	"github.com/diskd-actors/diskd-actors/test/bed"
)

// bin is the diskd-actors binary built once for the package, with the
// diskd_testhooks tag so that tests can make parts panic.
var bin string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("test: -short: skipping the process-level tests")
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "diskd-test-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "diskd-actors")
	build := exec.Command("go", "build", "-race", "-tags", "diskd_testhooks", "-o", bin, "../cmd/diskd-actors")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building diskd-actors:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// disk is one entry of `--json list`.
type disk struct {
	Node   string `json:"node"`
	UUID   string `json:"uuid"`
	Label  string `json:"label"`
	Device string `json:"device"`
	Type   string `json:"type"`
	Local  bool   `json:"local"`
}

// daemon is a running diskd-actors process.
type daemon struct {
	t       *testing.T
	name    string
	dir     string
	socket  string
	blkid   string // the file the fake blkid prints
	cfgFile string
	cmd     *exec.Cmd
	log     *os.File
	exited  chan struct{}
	err     error
}

// network is a group of daemons sharing one multicast port on lo.
type network struct {
	t     *testing.T
	port  int
	group string
}

func newNetwork(t *testing.T) *network {
	t.Helper()
	return &network{t: t, port: freeUDPPort(t), group: "239.255.77.1"}
}

// sendRaw sends one datagram to the network's group on lo, as a stranger
// would.
func (n *network) sendRaw(b []byte) {
	n.t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		n.t.Fatal(err)
	}
	defer c.Close()
	p := ipv4.NewPacketConn(c)
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		n.t.Fatal(err)
	}
	if err := p.SetMulticastInterface(lo); err != nil {
		n.t.Fatal(err)
	}
	p.SetMulticastLoopback(true)
	if _, err := p.WriteTo(b, nil, &net.UDPAddr{IP: net.ParseIP(n.group), Port: n.port}); err != nil {
		n.t.Fatal(err)
	}
}

// drops returns the daemon's drop counters.
func (d *daemon) drops() map[string]float64 {
	d.t.Helper()
	lines, status := d.query("status --json")
	if !strings.HasPrefix(status, ".ok") || len(lines) != 1 {
		d.t.Fatalf("status on %s: %q %q", d.name, lines, status)
	}
	var st struct {
		Drops map[string]float64 `json:"drops"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &st); err != nil {
		d.t.Fatal(err)
	}
	return st.Drops
}

// freeUDPPort returns a UDP port nobody uses now, so parallel tests do not
// hear each other.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// exportDisk renders one disk in blkid's escaped export format.
func exportDisk(dev, uuid, label, typ string) string {
	return bed.ExportFormat([]bed.Disk{{Device: dev, UUID: uuid, Label: label, Type: typ}})
}

type daemonOpt func(*daemonConf)

type daemonConf struct {
	extraYAML   string
	blkidCmd    []string
	announce    string
	peerTimeout string
	stateFile   string
	mountsFile  string
}

// withYAML appends configuration keys the template does not set.
func withYAML(y string) daemonOpt { return func(c *daemonConf) { c.extraYAML += y } }

// withTimers sets announce.interval and peer.timeout.
func withTimers(announce, peerTimeout string) daemonOpt {
	return func(c *daemonConf) { c.announce, c.peerTimeout = announce, peerTimeout }
}

// withStateFile persists the daemon's knowledge in path.
func withStateFile(path string) daemonOpt { return func(c *daemonConf) { c.stateFile = path } }

// withMountsFile makes the daemon read its mount table from path.
func withMountsFile(path string) daemonOpt { return func(c *daemonConf) { c.mountsFile = path } }

func withBlkidCommand(argv ...string) daemonOpt {
	return func(c *daemonConf) { c.blkidCmd = argv }
}

// start runs a daemon named name whose blkid prints disks (export format).
func (n *network) start(name, disks string, opts ...daemonOpt) *daemon {
	t := n.t
	t.Helper()
	dir := t.TempDir()
	d := &daemon{t: t, name: name, dir: dir, socket: filepath.Join(dir, "s"),
		blkid: filepath.Join(dir, "blkid.txt"), exited: make(chan struct{})}
	if err := os.WriteFile(d.blkid, []byte(disks), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := daemonConf{blkidCmd: []string{"cat", d.blkid}, announce: "2s", peerTimeout: "6s",
		mountsFile: "/proc/self/mountinfo"}
	for _, o := range opts {
		o(&conf)
	}
	cmdYAML, _ := json.Marshal(conf.blkidCmd)
	stateYAML, _ := json.Marshal(conf.stateFile)
	mountsYAML, _ := json.Marshal(conf.mountsFile)
	cfg := fmt.Sprintf(`node: %s
socket: %s
multicast:
  group: %s
  port: %d
  interface: lo
  ttl: 1
announce:
  interval: %s
blkid:
  command: %s
  interval: 1h
  timeout: 2s
peer:
  timeout: %s
state_file: %s
mounts:
  interval: 200ms
  file: %s
log:
  level: debug
%s`, name, d.socket, n.group, n.port, conf.announce, cmdYAML, conf.peerTimeout, stateYAML, mountsYAML, conf.extraYAML)
	d.cfgFile = filepath.Join(dir, "config.yaml")
	cfgFile := d.cfgFile
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	d.run("daemon", "--config", cfgFile)
	d.waitSocket()
	t.Cleanup(d.stop)
	return d
}

// restart starts the daemon again with the same configuration, after it
// stopped or was killed.
func (d *daemon) restart() {
	d.t.Helper()
	<-d.exited
	d.log.Close()
	d.exited = make(chan struct{})
	d.run("daemon", "--config", d.cfgFile)
	d.waitSocket()
}

// kill ends the daemon with SIGKILL: no goodbye, no final save.
func (d *daemon) kill() {
	d.t.Helper()
	d.cmd.Process.Kill()
	<-d.exited
}

// query runs one command over a fresh raw connection, which is quicker
// than a client process when polling.
func (d *daemon) query(cmd string) (lines []string, status string) {
	d.t.Helper()
	c, err := net.Dial("unix", d.socket)
	if err != nil {
		return nil, ".err dial " + err.Error()
	}
	defer c.Close()
	s := &rawSession{t: d.t, conn: c, r: bufio.NewReader(c)}
	s.line()
	return s.send(cmd + "\n")
}

// peerState returns node's state as d sees it, or "" when unknown.
func (d *daemon) peerState(node string) string {
	d.t.Helper()
	lines, status := d.query("peers --json")
	if status[:3] != ".ok" || len(lines) != 1 {
		return ""
	}
	var peers []struct {
		Node, State string
	}
	if err := json.Unmarshal([]byte(lines[0]), &peers); err != nil {
		d.t.Fatalf("peers --json: %v in %q", err, lines[0])
	}
	for _, p := range peers {
		if p.Node == node {
			return p.State
		}
	}
	return ""
}

func (d *daemon) run(args ...string) {
	t := d.t
	logf, err := os.OpenFile(filepath.Join(d.dir, "daemon.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	d.log = logf
	d.cmd = exec.Command(bin, args...)
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	d.cmd.Env = append(os.Environ(), "HOME="+d.dir)
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		d.err = d.cmd.Wait()
		close(d.exited)
	}()
}

// waitSocket polls until the daemon answers on its socket.
func (d *daemon) waitSocket() {
	d.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-d.exited:
			d.t.Fatalf("daemon %s exited early: %v\n%s", d.name, d.err, d.logText())
		default:
		}
		if c, err := net.Dial("unix", d.socket); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	d.t.Fatalf("daemon %s did not open %s\n%s", d.name, d.socket, d.logText())
}

func (d *daemon) logText() string {
	b, _ := os.ReadFile(filepath.Join(d.dir, "daemon.log"))
	return string(b)
}

// stop sends SIGTERM and waits; it fails the test if the daemon does not
// exit 0 or leaves its socket behind.
func (d *daemon) stop() {
	if d.cmd.ProcessState != nil {
		return
	}
	select {
	case <-d.exited:
		return
	default:
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(15 * time.Second):
		d.cmd.Process.Kill()
		<-d.exited
		d.t.Errorf("daemon %s did not stop on SIGTERM\n%s", d.name, d.logText())
	}
	if d.err != nil {
		d.t.Errorf("daemon %s exited with %v\n%s", d.name, d.err, d.logText())
	}
	if _, err := os.Lstat(d.socket); err == nil {
		d.t.Errorf("daemon %s left its socket %s behind", d.name, d.socket)
	}
	d.log.Close()
}

// client runs the client binary against this daemon.
func (d *daemon) client(args ...string) (stdout, stderr string, code int) {
	d.t.Helper()
	return runClient(d.t, append([]string{"--socket", d.socket}, args...)...)
}

func runClient(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// fullDisk is a `--json list` entry with its mounts.
type fullDisk struct {
	disk
	Mounts []struct {
		Path string `json:"path"`
		RO   bool   `json:"ro"`
	} `json:"mounts"`
}

// listFull returns the daemon's `--json list` with mounts.
func (d *daemon) listFull() []fullDisk {
	d.t.Helper()
	out, errs, code := d.client("--json", "list")
	if code != 0 {
		d.t.Fatalf("list on %s: exit %d: %s", d.name, code, errs)
	}
	var disks []fullDisk
	if err := json.Unmarshal([]byte(out), &disks); err != nil {
		d.t.Fatalf("list on %s: %v in %q", d.name, err, out)
	}
	return disks
}

// list returns the daemon's `--json list`.
func (d *daemon) list() []disk {
	d.t.Helper()
	out, errs, code := d.client("--json", "list")
	if code != 0 {
		d.t.Fatalf("list on %s: exit %d: %s\n%s", d.name, code, errs, d.logText())
	}
	var disks []disk
	if err := json.Unmarshal([]byte(out), &disks); err != nil {
		d.t.Fatalf("list on %s: %v in %q", d.name, err, out)
	}
	return disks
}

// status returns the daemon's `--json status` as a generic map.
func (d *daemon) status() map[string]any {
	d.t.Helper()
	out, errs, code := d.client("--json", "status")
	if code != 0 {
		d.t.Fatalf("status on %s: exit %d: %s", d.name, code, errs)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		d.t.Fatalf("status on %s: %v in %q", d.name, err, out)
	}
	return m
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true within %v", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// countNode counts disks of node in a listing.
func countNode(disks []disk, node string) int {
	n := 0
	for _, d := range disks {
		if d.Node == node {
			n++
		}
	}
	return n
}

// rawSession is a connection to a daemon's socket, spoken to by hand.
type rawSession struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func (d *daemon) dialRaw() *rawSession {
	d.t.Helper()
	c, err := net.Dial("unix", d.socket)
	if err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { c.Close() })
	return &rawSession{t: d.t, conn: c, r: bufio.NewReader(c)}
}

func (s *rawSession) line() string {
	s.t.Helper()
	s.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	l, err := s.r.ReadString('\n')
	if err != nil {
		s.t.Fatalf("reading from the daemon: %v (got %q)", err, l)
	}
	return strings.TrimSuffix(l, "\n")
}

// send writes raw bytes and reads one answer: data lines, then its status.
func (s *rawSession) send(raw string) (lines []string, status string) {
	s.t.Helper()
	if _, err := s.conn.Write([]byte(raw)); err != nil {
		s.t.Fatal(err)
	}
	for {
		l := s.line()
		if strings.HasPrefix(l, ".") && !strings.HasPrefix(l, "..") {
			return lines, l
		}
		lines = append(lines, strings.TrimPrefix(l, "."))
	}
}
