// Package bed is a multi-host test bed for diskd-actors: it starts N real
// daemon processes, each a "host" with its own directory, socket,
// configuration, fake blkid (a file printed by `cat`) and mount table, and
// drives them through their sockets. Integration tests and the benchmarks
// in test/bench use it.
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
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
)

// Mode is how the bed's hosts are networked.
type Mode string

// The network modes.
const (
	Lo    Mode = "lo"
	Netns Mode = "netns"
)

// Options describe a bed. Zero values take the defaults given.
type Options struct {
	Hosts int  // number of hosts (daemons); default 3
	Mode  Mode // Lo (default) or Netns
	// Announce is announce.interval; default 500ms.
	Announce time.Duration
	// PeerTimeout is peer.timeout; default 4 × Announce (at least 1s, the
	// smallest the daemon accepts).
	PeerTimeout time.Duration
	// BlkidInterval is blkid.interval: the periodic rescan. Default 1h, so
	// that only Refresh rescans and a benchmark controls when.
	BlkidInterval time.Duration
	// MountsInterval is mounts.interval; default 1s.
	MountsInterval time.Duration
	// LogLevel is log.level; default "warn" (debug logging costs CPU).
	LogLevel string
	// Disks gives host i's initial disks; default Disks(i, 2).
	Disks func(host int) []Disk
	// StateFile gives every host a state file in its directory; default
	// none.
	StateFile bool
	// Configure, if set, adjusts host i's configuration after the bed has
	// filled it in. It must not change multicast.interface.
	Configure func(host int, c *config.Config)
	// DeferStart: New prepares the hosts but starts no daemon; call
	// StartAll (or Host.Start) and WaitReady.
	DeferStart bool
	// Race builds the daemon with the race detector.
	Race bool
	// StartTimeout bounds the wait for each daemon's socket; default 30s.
	StartTimeout time.Duration
	// Bin is a prebuilt daemon binary to run; default Binary(tb, Race).
	Bin string
}

func (o *Options) defaults() {
	if o.Hosts <= 0 {
		o.Hosts = 3
	}
	if o.Mode == "" {
		o.Mode = Lo
	}
	if o.Announce <= 0 {
		o.Announce = 500 * time.Millisecond
	}
	if o.PeerTimeout <= 0 {
		o.PeerTimeout = max(4*o.Announce, time.Second)
	}
	if o.BlkidInterval <= 0 {
		o.BlkidInterval = time.Hour
	}
	if o.MountsInterval <= 0 {
		o.MountsInterval = time.Second
	}
	if o.LogLevel == "" {
		o.LogLevel = "warn"
	}
	if o.Disks == nil {
		o.Disks = func(i int) []Disk { return Disks(i, 2) }
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 30 * time.Second
	}
}

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
	bin := opts.Bin
	if bin == "" {
		bin = Binary(tb, opts.Race)
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
	if o.Mode == Lo {
		port, err := freeUDPPort()
		if err != nil {
			return err
		}
		b.Port = port
	} else {
		b.Port = 32003 // each bed has namespaces of its own
	}
	for i := range o.Hosts {
		name := fmt.Sprintf("h%02d", i)
		dir := filepath.Join(b.Dir, name)
		if err := ensureDir(dir); err != nil {
			return err
		}
		h := &Host{Index: i, Name: name, Dir: dir, Socket: filepath.Join(dir, "s"),
			BlkidFile: filepath.Join(dir, "blkid.txt"), MountsFile: filepath.Join(dir, "mountinfo"),
			ConfigFile: filepath.Join(dir, "config.yaml"), LogFile: filepath.Join(dir, "daemon.log"),
			Iface: "lo", bed: b}
		b.Hosts = append(b.Hosts, h)
	}
	if o.Mode == Netns {
		n, err := newNetnsNet(len(b.Hosts))
		b.net = n // set even on error: Close removes what was made
		if err != nil {
			return err
		}
		for i, h := range b.Hosts {
			h.NS, h.Iface, h.Addr = n.hostNS[i], netnsIface, n.addr[i]
		}
	}
	for _, h := range b.Hosts {
		if err := h.ChangeDisks(o.Disks(h.Index)); err != nil {
			return err
		}
		if err := b.writeConfig(h); err != nil {
			return err
		}
	}
	return nil
}

func (b *Bed) writeConfig(h *Host) error {
	o := b.opts
	c := config.Fast()
	c.Node = h.Name
	c.Socket = h.Socket
	c.Multicast.Group, c.Multicast.Port, c.Multicast.Interface, c.Multicast.TTL = b.Group, b.Port, h.Iface, 1
	c.Announce.Interval = o.Announce
	c.Peer.Timeout = o.PeerTimeout
	c.Blkid.Command = []string{"cat", h.BlkidFile}
	c.Blkid.Interval = o.BlkidInterval
	c.Blkid.Timeout = 5 * time.Second
	c.Mounts.Interval, c.Mounts.File = o.MountsInterval, h.MountsFile
	c.Log.Level = o.LogLevel
	c.StateFile = ""
	if o.StateFile {
		c.StateFile = filepath.Join(h.Dir, "state.yaml")
	}
	if o.Configure != nil {
		o.Configure(h.Index, c)
		if c.Multicast.Interface != h.Iface {
			return fmt.Errorf("%s: Configure set multicast.interface %q, want %q: the bed keeps traffic on its own interface",
				h.Name, c.Multicast.Interface, h.Iface)
		}
	}
	if err := c.Validate(); err != nil {
		return fmt.Errorf("%s: configuration: %w", h.Name, err)
	}
	y, err := c.YAML()
	if err != nil {
		return err
	}
	return os.WriteFile(h.ConfigFile, y, 0o600)
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

// Progress records, per host, when WaitConverged first got an answer on
// its socket (Ready) and when the host first listed every disk (Done). A
// zero time means never within the timeout.
type Progress struct {
	Ready, Done []time.Time
}

// WaitConverged waits until every host lists want disks (TotalDisks when
// want is 0) and records when each first answered on its socket and when
// each listed all of them. It hardly polls: per host it opens a `debug`
// stream, then takes one `list`, and counts the disk_added and
// disk_removed events that follow, so the moment is exact to the event and
// the measurement costs the daemons almost nothing; a `list` confirms the
// count, and is asked every half second only while no event comes. A host
// whose socket is not open yet is retried every 5 ms. It fails after timeout, saying how
// many disks each late host listed.
func (b *Bed) WaitConverged(ctx context.Context, want int, timeout time.Duration) (*Progress, error) {
	if want == 0 {
		want = b.TotalDisks()
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	p := &Progress{Ready: make([]time.Time, len(b.Hosts)), Done: make([]time.Time, len(b.Hosts))}
	seen := make([]int, len(b.Hosts))
	errs := make([]error, len(b.Hosts))
	var wg sync.WaitGroup
	for i, h := range b.Hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = h.watchConvergence(ctx, want, &p.Ready[i], &p.Done[i], &seen[i])
		}()
	}
	wg.Wait()
	var late []string
	for i, t := range p.Done {
		if t.IsZero() {
			late = append(late, fmt.Sprintf("%s lists %d (%v)", b.Hosts[i].Name, seen[i], errs[i]))
		}
	}
	if len(late) > 0 {
		return p, fmt.Errorf("not converged within %v (want %d disks each): %v\n%s", timeout, want, late,
			b.Hosts[0].LogTail(10))
	}
	return p, nil
}

// watchConvergence follows one host until it lists want disks; see
// WaitConverged. The events and the first list give the moment; a `list`
// confirms it (a peer that went down and came back hides and shows disks
// without disk events), and is also asked every half second when no event
// comes, so a missed event costs time, never a wrong answer.
func (h *Host) watchConvergence(ctx context.Context, want int, ready, done *time.Time, seen *int) error {
	var stream *Conn
	for stream == nil {
		var err error
		if stream, err = Dial(h.Socket, time.Second); err != nil {
			if h.hasExited() {
				return fmt.Errorf("the daemon exited: %v\n%s", h.ExitErr(), h.LogTail(5))
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("socket never answered: %w", err)
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	*ready = time.Now()
	defer stream.Close()
	query, err := Dial(h.Socket, DefaultQueryTimeout)
	if err != nil {
		return err
	}
	defer query.Close()
	// Unblock both sessions at the timeout.
	stop := context.AfterFunc(ctx, func() {
		stream.c.SetDeadline(time.Now())
		query.c.SetDeadline(time.Now())
	})
	defer stop()

	stream.c.SetDeadline(time.Time{})
	if _, err := stream.c.Write([]byte("debug\n")); err != nil {
		return err
	}
	for {
		l, err := stream.r.ReadString('\n')
		if err != nil {
			return fmt.Errorf("debug: %w", err)
		}
		if strings.HasPrefix(l, "streaming events") {
			break // subscribed: every later change is an event
		}
	}
	// Everything applied before the list is in it, everything after the
	// subscription is an event: together they miss nothing.
	var list []messages.NodeDisk
	if err := query.DoJSON("list", &list); err != nil {
		return err
	}
	have := map[string]bool{}
	for _, d := range list {
		have[d.Node+"/"+d.UUID] = true
	}
	*seen = len(have)
	candidate := time.Now()
	for len(have) < want || !h.confirm(query, want, seen) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		stream.c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		l, err := stream.r.ReadString('\n')
		if errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() == nil {
			if h.confirm(query, want, seen) {
				candidate = time.Now()
				break
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("debug stream: %w", err)
		}
		candidate = time.Now()
		// "15:04:05.000 disk_added NODE LABEL (UUID): DEVICE"
		f := strings.Fields(l)
		lp, rp := strings.LastIndexByte(l, '('), strings.LastIndexByte(l, ')')
		if len(f) < 3 || lp < 0 || rp < lp {
			continue
		}
		key := f[2] + "/" + l[lp+1:rp]
		switch f[1] {
		case messages.EventDiskAdded:
			have[key] = true
		case messages.EventDiskRemoved:
			delete(have, key)
		}
	}
	*done = candidate
	// End the stream politely: any line stops it; the status line follows.
	stream.c.SetDeadline(time.Now().Add(DefaultQueryTimeout))
	if _, err := stream.c.Write([]byte("\n")); err != nil {
		return nil
	}
	for {
		l, err := stream.r.ReadString('\n')
		if err != nil || (strings.HasPrefix(l, ".") && !strings.HasPrefix(l, "..")) {
			return nil
		}
	}
}

// confirm asks `list` on c whether the host lists want disks, and records
// the count in seen.
func (h *Host) confirm(c *Conn, want int, seen *int) bool {
	n, err := ListCount(c)
	if err != nil {
		return false
	}
	*seen = n
	return n == want
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
