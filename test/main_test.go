// Package test runs real diskd-actors processes: daemons on the loopback
// interface with scripted blkid commands, driven through their sockets and
// the client binary. Nothing leaves lo.
//
// The daemons are hosts of a test bed (test/bed): this file only adapts
// the bed to the helpers the tests here were written with (a network of
// daemons started one by one, each with options of its own).
package test

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages/lineproto"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// build is the flavour of the daemon every test here runs: under the race
// detector, with the diskd_testhooks tag so that tests can make parts
// panic.
var build = bed.Build{Race: true, Tags: []string{"diskd_testhooks"}}

// bin is that binary, built once for the package (shared with every bed of
// the package).
var bin string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("test: -short: skipping the process-level tests")
		os.Exit(0)
	}
	var err error
	if bin, err = bed.BuildBinary(build); err != nil {
		fmt.Fprintln(os.Stderr, "building diskd-actors:", err)
		os.Exit(1)
	}
	bed.Main(m)
}

// The timers of a daemon started here, unless a test sets its own
// (withTimers): quick enough that peers find each other at once, with a
// peer timeout generous enough for a loaded machine.
const (
	defaultAnnounce    = time.Second
	defaultPeerTimeout = 6 * time.Second
)

// disk is one entry of `--json list`.
type disk struct {
	Node   string `json:"node"`
	UUID   string `json:"uuid"`
	Label  string `json:"label"`
	Device string `json:"device"`
	Type   string `json:"type"`
	Local  bool   `json:"local"`
}

// network is a group of daemons sharing one multicast group and port on
// lo: a bed with no hosts, to which start adds them.
type network struct {
	t     *testing.T
	bed   *bed.Bed
	port  int
	group string
}

func newNetwork(t *testing.T) *network {
	t.Helper()
	b := bed.New(t, bed.Options{Hosts: bed.NoHosts, Race: build.Race, Tags: build.Tags, LogLevel: "debug",
		Announce: defaultAnnounce, PeerTimeout: defaultPeerTimeout, MountsInterval: 200 * time.Millisecond,
		StartTimeout: 15 * time.Second})
	return &network{t: t, bed: b, port: b.Port, group: b.Group}
}

// daemon is a running diskd-actors process: a host of the network's bed.
type daemon struct {
	t       *testing.T
	host    *bed.Host
	name    string
	dir     string
	socket  string
	blkid   string // the file the fake blkid prints
	cfgFile string
	// cmd and exited are those of the current process (after restart, the
	// new one); read cmd.ProcessState only once exited is closed.
	cmd    *exec.Cmd
	exited <-chan struct{}
}

// sendRaw sends one datagram to the network's group on lo, as a stranger
// would.
func (n *network) sendRaw(b []byte) {
	n.t.Helper()
	if err := n.bed.Send(b); err != nil {
		n.t.Fatal(err)
	}
}

// drops returns the daemon's drop counters.
func (d *daemon) drops() map[string]float64 {
	d.t.Helper()
	var st struct {
		Drops map[string]float64 `json:"drops"`
	}
	if err := d.host.QueryJSON("status", &st); err != nil {
		d.t.Fatalf("status on %s: %v", d.name, err)
	}
	return st.Drops
}

// freeUDPPort returns a UDP port nobody uses now, so parallel tests do not
// hear each other.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	port, err := bed.FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// exportDisk renders one disk in blkid's escaped export format.
func exportDisk(dev, uuid, label, typ string) string {
	return bed.ExportFormat([]bed.Disk{{Device: dev, UUID: uuid, Label: label, Type: typ}})
}

type daemonOpt func(*bed.HostOptions)

// configure adds f to the host's configuration hook.
func configure(ho *bed.HostOptions, f func(*config.Config)) {
	prev := ho.Configure
	ho.Configure = func(c *config.Config) {
		if prev != nil {
			prev(c)
		}
		f(c)
	}
}

// withYAML merges configuration keys over the bed's (test/bed
// HostOptions.YAML).
func withYAML(y string) daemonOpt { return func(o *bed.HostOptions) { o.YAML += y } }

// withTimers sets announce.interval and peer.timeout.
func withTimers(announce, peerTimeout string) daemonOpt {
	return func(o *bed.HostOptions) {
		configure(o, func(c *config.Config) {
			c.Announce.Interval, _ = time.ParseDuration(announce)
			c.Peer.Timeout, _ = time.ParseDuration(peerTimeout)
		})
	}
}

// withStateFile persists the daemon's knowledge in path.
func withStateFile(path string) daemonOpt { return func(o *bed.HostOptions) { o.StateFile = path } }

// withMountsFile makes the daemon read its mount table from path (a
// fixture, or /proc/self/mountinfo) instead of the bed's.
func withMountsFile(path string) daemonOpt { return func(o *bed.HostOptions) { o.MountsFile = path } }

// withBlkidCommand replaces the fake blkid.
func withBlkidCommand(argv ...string) daemonOpt {
	return func(o *bed.HostOptions) { o.BlkidCommand = argv }
}

// withArgs starts the daemon with these arguments (flags) instead of its
// configuration file.
func withArgs(args ...string) daemonOpt { return func(o *bed.HostOptions) { o.Args = args } }

// withSocket names the daemon's socket (for withArgs that name their own).
func withSocket(path string) daemonOpt { return func(o *bed.HostOptions) { o.Socket = path } }

// start runs a daemon named name whose blkid prints disks (export format)
// and waits until it answers; it is stopped (and must stop cleanly) when
// the test ends.
func (n *network) start(name, disks string, opts ...daemonOpt) *daemon {
	t := n.t
	t.Helper()
	ho := bed.HostOptions{Name: name, Disks: []bed.Disk{}, BlkidOutput: disks}
	configure(&ho, func(c *config.Config) { c.Blkid.Timeout = 2 * time.Second })
	for _, o := range opts {
		o(&ho)
	}
	h, err := n.bed.AddHost(ho)
	if h == nil {
		t.Fatalf("daemon %s: %v", name, err)
	}
	d := &daemon{t: t, host: h, name: name, dir: h.Dir, socket: h.Socket, blkid: h.BlkidFile, cfgFile: h.ConfigFile}
	t.Cleanup(d.stop)
	if err != nil {
		t.Fatalf("daemon %s: %v", name, err)
	}
	d.cmd, d.exited = h.Cmd(), h.Exited()
	return d
}

// restart starts the daemon again with the same configuration, after it
// stopped or was killed.
func (d *daemon) restart() {
	d.t.Helper()
	if err := d.host.Wait(15 * time.Second); err != nil && d.host.Running() {
		d.t.Fatalf("restart %s: %v", d.name, err)
	}
	if err := d.host.Start(); err != nil {
		d.t.Fatal(err)
	}
	d.cmd, d.exited = d.host.Cmd(), d.host.Exited()
	d.waitSocket()
}

// kill ends the daemon with SIGKILL: no goodbye, no final save.
func (d *daemon) kill() {
	d.t.Helper()
	if err := d.host.KillHard(); err != nil {
		d.t.Fatal(err)
	}
}

// query runs one command over a fresh raw connection, which is quicker
// than a client process when polling. A failure to dial or read is an
// ".err" status.
func (d *daemon) query(cmd string) (lines []string, status string) {
	d.t.Helper()
	a, err := d.host.Query(cmd)
	if err != nil {
		return nil, ".err " + err.Error()
	}
	return a.Lines, a.Status
}

// peerState returns node's state as d sees it, or "" when unknown.
func (d *daemon) peerState(node string) string {
	d.t.Helper()
	st, err := d.host.PeerState(node)
	if err != nil {
		return ""
	}
	return st
}

// running reports whether the daemon process runs.
func (d *daemon) running() bool { return d.host.Running() }

// waitSocket waits until the daemon answers on its socket.
func (d *daemon) waitSocket() {
	d.t.Helper()
	if err := d.host.WaitReady(15 * time.Second); err != nil {
		d.t.Fatal(err)
	}
}

// logText is the daemon's whole log, across restarts.
func (d *daemon) logText() string { return d.host.Log() }

// stop sends SIGTERM and waits; it fails the test if the daemon does not
// exit 0 or leaves its socket behind. A daemon already stopped is left
// alone.
func (d *daemon) stop() {
	if err := d.host.Stop(); err != nil {
		d.t.Errorf("daemon %s: %v", d.name, err)
	}
}

// client runs the client binary against this daemon.
func (d *daemon) client(args ...string) (stdout, stderr string, code int) {
	d.t.Helper()
	out, errs, code, err := d.host.Client(args...)
	if err != nil {
		d.t.Fatal(err)
	}
	return out, errs, code
}

// runClient runs the binary with args, with a home directory of its own.
func runClient(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
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

// listFull returns the daemon's `list --json` with mounts.
func (d *daemon) listFull() []fullDisk {
	d.t.Helper()
	var disks []fullDisk
	if err := d.host.QueryJSON("list", &disks); err != nil {
		d.t.Fatalf("list on %s: %v", d.name, err)
	}
	return disks
}

// list returns the daemon's `list --json` (over the socket: polling with
// the client binary would cost a process each time).
func (d *daemon) list() []disk {
	d.t.Helper()
	var disks []disk
	if err := d.host.QueryJSON("list", &disks); err != nil {
		d.t.Fatalf("list on %s: %v\n%s", d.name, err, d.host.LogTail(20))
	}
	return disks
}

// status returns the daemon's `status --json` as a generic map.
func (d *daemon) status() map[string]any {
	d.t.Helper()
	var m map[string]any
	if err := d.host.QueryJSON("status", &m); err != nil {
		d.t.Fatalf("status on %s: %v", d.name, err)
	}
	return m
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	bed.WaitFor(t, within, what, func() (bool, error) { return cond(), nil })
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

// rawSession is a connection to a daemon's socket, spoken to by hand: for
// bytes that bed.Conn refuses to send (control characters, CR, lines of
// any length).
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
		data, isStatus := lineproto.Unstuff(l)
		if isStatus {
			return lines, l
		}
		lines = append(lines, data)
	}
}
