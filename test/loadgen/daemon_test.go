package loadgen

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// The daemon under test: a real diskd-actors process, the one host of a
// test bed (test/bed), built without -race (benchmarks measure the binary
// users run): multicast on lo on the bed's own group and port, which the
// generator is given, a fake blkid with one local disk, no state file.

// daemonOpts configures a daemon.
type daemonOpts struct {
	node        string
	keys        []string      // base64 authentication keys
	pin         string        // CPU list for taskset -c; "" runs unpinned
	peerTimeout time.Duration // default 10m
}

// daemon is the bed's one host, with the group and port the generator
// must send to.
type daemon struct {
	*bed.Host
	group string
	port  int
}

// localLabel is the label of the daemon's one local disk.
const localLabel = "local-disk"

// startDaemon starts a daemon and waits until it answers on its socket;
// it is stopped (and must exit 0) when the test ends.
func startDaemon(tb testing.TB, o daemonOpts) *daemon {
	tb.Helper()
	if o.peerTimeout == 0 {
		o.peerTimeout = 10 * time.Minute
	}
	b := bed.New(tb, bed.Options{Hosts: 1, Names: func(int) string { return o.node },
		Announce: 2 * time.Second, PeerTimeout: o.peerTimeout, MountsInterval: time.Hour, LogLevel: "info",
		Disks: func(int) []bed.Disk {
			return []bed.Disk{{Device: "/dev/sda1", UUID: "0b3c1d2e-0000-4000-8000-000000000001", Label: localLabel, Type: "ext4"}}
		},
		Keys: o.keys, Pin: func(int) string { return o.pin }, StartTimeout: 15 * time.Second})
	return &daemon{Host: b.Hosts[0], group: b.Group, port: b.Port}
}

// pid is the daemon's process id.
func (d *daemon) pid() int { return d.PID() }

// query runs one command (with --json) on a fresh connection and decodes
// its one JSON line into v.
func (d *daemon) query(cmd string, v any) error {
	c, err := d.dialRaw()
	if err != nil {
		return err
	}
	defer c.Close()
	return c.DoJSON(strings.TrimSuffix(cmd, " --json"), v)
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
	return &st, d.query("status", &st)
}

// remoteDisks sums the disks of the peers whose name starts with prefix
// and counts those peers.
func (d *daemon) remoteDisks(prefix string) (peers, disks int, err error) {
	var ps []messages.Peer
	err = d.query("peers", &ps)
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
	s, err := bed.ReadProcStat(pid)
	if err == nil && s.RSS == 0 {
		err = fmt.Errorf("no VmRSS in /proc/%d/status", pid)
	}
	return int(s.RSS >> 10), int(s.HWM >> 10), err
}

// dialRaw opens a session on the daemon's socket, with a bound of 30 s on
// each answer (a saturated daemon is slow).
func (d *daemon) dialRaw() (*bed.Conn, error) { return bed.Dial(d.Socket, 30*time.Second) }

// eventually polls cond until it holds or within passes.
func eventually(tb testing.TB, within time.Duration, what string, cond func() (bool, string)) {
	tb.Helper()
	bed.WaitFor(tb, within, what, func() (bool, error) {
		ok, state := cond()
		return ok, fmt.Errorf("%s", state)
	})
}
