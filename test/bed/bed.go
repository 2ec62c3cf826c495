// Package bed is a multi-host test bed for diskd-actors: it starts N real
// daemon processes, each a "host" with its own directory, socket,
// configuration, fake blkid (a file printed by `cat`) and mount table, and
// drives them through their sockets. It is the one daemon harness of the
// repository: the process-level tests in test/, the benchmarks in
// test/bench and the load benchmarks in test/loadgen all start their
// daemons through it. A bed starts its hosts alike (Options), or with no
// host (Hosts: NoHosts) to which a test adds hosts one by one, each with
// options of its own (AddHost).
//
// Two network modes:
//
//   - Lo (any user): every daemon multicasts on the loopback interface,
//     on a group and port of the bed's own, so that beds running side by
//     side never hear each other. Nothing leaves lo.
//   - Netns (root, with the ip command): every host gets a network
//     namespace with one veth ("veth0", address 198.18.x.y/15, a route for
//     224.0.0.0/4); the other ends join a bridge in a namespace of its own.
//     Nothing is created in the root namespace, so nothing can reach a real
//     interface. Host.Cut and Host.Heal take a host's link down and up.
//     Close deletes every namespace, also when setup failed half way.
//
// Every daemon's multicast.interface is the bed's interface (lo or
// veth0); New refuses a configuration hook that changes it.
//
// Daemons get the SIGKILL parent-death signal, so they never outlive the
// test process, and are stopped by Close (registered with tb.Cleanup).
// Every wait is bounded.
package bed

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Bed is a set of hosts running diskd-actors.
type Bed struct {
	Hosts []*Host
	Bin   string // the daemon binary
	Group string // multicast group
	Port  int    // multicast port
	Dir   string // the bed's directory; one subdirectory per host

	opts     Options
	net      *netnsNet // netns mode
	tb       testing.TB
	closeMu  sync.Mutex
	isClosed bool
}

// New builds the daemon (once per test process), prepares opts.Hosts hosts
// and, unless opts.DeferStart, starts them and waits until each answers on
// its socket. It does not wait for the hosts to find each other (see
// WaitConverged). In netns mode it skips the test when not root or when
// the ip command is missing. Close is registered with tb.Cleanup; New fails
// the test (after cleaning up) on any error.
func New(tb testing.TB, opts Options) *Bed {
	tb.Helper()
	opts.defaults()
	switch opts.Mode {
	case Lo:
	case Netns:
		if reason := NetnsUnavailable(); reason != "" {
			tb.Skipf("bed: netns mode: %s", reason)
		}
	default:
		tb.Fatalf("bed: mode %q, want %q or %q", opts.Mode, Lo, Netns)
	}
	if opts.ReceiveLoss != nil {
		if reason := LossUnavailable(); reason != "" {
			tb.Skipf("bed: receive loss: %s", reason)
		}
	}
	bin := opts.Bin
	if bin == "" {
		bin = BinaryOf(tb, Build{Race: opts.Race, Tags: opts.Tags})
	}
	b := &Bed{Bin: bin, Dir: tb.TempDir(), opts: opts, tb: tb}
	tb.Cleanup(func() {
		if err := b.Close(); err != nil {
			tb.Errorf("bed: close: %v", err)
		}
	})
	if err := b.setup(); err != nil {
		tb.Fatalf("bed: %v", err)
	}
	if opts.DeferStart {
		return b
	}
	if _, _, err := b.StartAll(); err != nil {
		tb.Fatalf("bed: %v", err)
	}
	if err := b.WaitReady(opts.StartTimeout); err != nil {
		tb.Fatalf("bed: %v", err)
	}
	return b
}

var netnsProbe struct {
	once   sync.Once
	reason string
}

// NetnsUnavailable says why netns mode cannot run here, or "" when it can:
// it needs root, the ip command, and the right to create a namespace (a
// container may lack it), which it tries once per process.
func NetnsUnavailable() string {
	netnsProbe.once.Do(func() {
		switch {
		case os.Geteuid() != 0:
			netnsProbe.reason = "needs root (network namespaces); run as root or use lo mode"
		default:
			if _, err := exec.LookPath("ip"); err != nil {
				netnsProbe.reason = "needs the ip command (iproute2)"
				return
			}
			probe := fmt.Sprintf("%s%d-probe", netnsPrefix, os.Getpid())
			if err := ip("netns", "add", probe); err != nil {
				netnsProbe.reason = "cannot create a network namespace: " + err.Error()
				return
			}
			ip("netns", "del", probe)
		}
	})
	return netnsProbe.reason
}

// Options returns the bed's options, defaults filled in.
func (b *Bed) Options() Options { return b.opts }

func (b *Bed) setup() error {
	o := b.opts
	// A group of the bed's own in 239.255.0.0/16 (administratively scoped)
	// and, on lo, a free port: beds side by side never hear each other.
	b.Group = fmt.Sprintf("239.255.%d.%d", 1+rand.IntN(250), 1+rand.IntN(250))
	if o.Group != "" {
		b.Group = o.Group
	}
	if o.IPv6 && o.Mode != Netns {
		return fmt.Errorf("bed: IPv6 needs netns mode (IPv6 multicast is not delivered on lo)")
	}
	if o.Mode == Lo {
		port, err := FreeUDPPort()
		if err != nil {
			return err
		}
		b.Port = port
	} else {
		b.Port = 32003 // each bed has namespaces of its own
		n, err := newNetnsNet()
		b.net = n // set even on error: Close removes what was made
		if err != nil {
			return err
		}
	}
	for range o.Hosts {
		if _, err := b.addHost(HostOptions{}); err != nil {
			return err
		}
	}
	return nil
}

// AddHost adds a host with options of its own to the bed (one made with
// Hosts: NoHosts, or any other), on the bed's group and port, and unless
// ho.NoStart starts it and waits until it answers. The bed's options apply
// where ho leaves a field zero. Not safe for concurrent use with other Bed
// methods.
func (b *Bed) AddHost(ho HostOptions) (*Host, error) {
	h, err := b.addHost(ho)
	if err != nil {
		return nil, err
	}
	if ho.NoStart {
		return h, nil
	}
	if err := h.Start(); err != nil {
		return h, err
	}
	return h, h.WaitReady(b.opts.StartTimeout)
}

// addHost prepares host number len(b.Hosts): its directory, files,
// namespace (netns mode) and configuration.
func (b *Bed) addHost(ho HostOptions) (*Host, error) {
	o := b.opts
	i := len(b.Hosts)
	dirName := fmt.Sprintf("h%02d", i)
	name := ho.Name
	if name == "" && o.Names != nil {
		name = o.Names(i)
	}
	if name == "" {
		name = dirName
	}
	dir := filepath.Join(b.Dir, dirName)
	if err := ensureDir(dir); err != nil {
		return nil, err
	}
	h := &Host{Index: i, Name: name, Dir: dir, Socket: filepath.Join(dir, "s"),
		BlkidFile: filepath.Join(dir, "blkid.txt"), MountsFile: filepath.Join(dir, "mountinfo"),
		ConfigFile: filepath.Join(dir, "config.yaml"), LogFile: filepath.Join(dir, "daemon.log"),
		Iface: "lo", bed: b, hopts: ho}
	if ho.Socket != "" {
		h.Socket = ho.Socket
	}
	if ho.MountsFile != "" {
		h.MountsFile, h.ownMounts = ho.MountsFile, true
	}
	b.Hosts = append(b.Hosts, h)
	if b.net != nil {
		ns, addr, err := b.net.addHost(i)
		if err != nil {
			return h, err
		}
		h.NS, h.Iface, h.Addr = ns, netnsIface, addr
		if o.IPv6 {
			if h.Addr6, err = b.net.addIPv6(i, ns); err != nil {
				return h, err
			}
		}
		if o.ReceiveLoss != nil {
			if err := setLoss(ns, addr, b.Port, o.ReceiveLoss(i)); err != nil {
				return h, err
			}
		}
	}
	disks := ho.Disks
	if disks == nil {
		disks = o.Disks(i)
	}
	if err := h.ChangeDisks(disks); err != nil {
		return h, err
	}
	if ho.BlkidOutput != "" {
		if err := h.WriteBlkid(ho.BlkidOutput); err != nil {
			return h, err
		}
	}
	if err := b.writeConfig(h); err != nil {
		return h, err
	}
	return h, nil
}

// StartAll starts every host's daemon as fast as it can, one after the
// other without waiting for sockets, and returns when the first and the
// last process started.
func (b *Bed) StartAll() (first, last time.Time, err error) {
	for i, h := range b.Hosts {
		if err := h.Start(); err != nil {
			return first, last, err
		}
		last = time.Now()
		if i == 0 {
			first = h.Started()
		}
	}
	return first, last, nil
}

// WaitReady waits until every running daemon answers on its socket.
func (b *Bed) WaitReady(timeout time.Duration) error {
	return b.each(func(h *Host) error { return h.WaitReady(timeout) })
}

// TotalDisks is the number of disks of all hosts together, as last set.
func (b *Bed) TotalDisks() int {
	n := 0
	for _, h := range b.Hosts {
		n += len(h.Disks())
	}
	return n
}

// each runs f on every host concurrently and joins the errors.
func (b *Bed) each(f func(*Host) error) error {
	errs := make([]error, len(b.Hosts))
	var wg sync.WaitGroup
	for i, h := range b.Hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f(h)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// StopAll stops every running daemon (SIGTERM) concurrently.
func (b *Bed) StopAll() error { return b.each((*Host).Stop) }

// Close stops every daemon and, in netns mode, deletes the namespaces. It
// is registered by New and safe to call more than once; daemons that fail
// to stop cleanly are killed and reported.
func (b *Bed) Close() error {
	b.closeMu.Lock()
	defer b.closeMu.Unlock()
	if b.isClosed {
		return nil
	}
	b.isClosed = true
	err := b.StopAll()
	b.each(func(h *Host) error { return h.KillHard() }) // whatever failed to stop
	if b.net != nil {
		err = errors.Join(err, b.net.close())
	}
	return err
}
