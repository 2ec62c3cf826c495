package bed

import (
	"time"

	"github.com/diskd-actors/diskd-actors/config"
)

// Mode is how the bed's hosts are networked.
type Mode string

// The network modes.
const (
	Lo    Mode = "lo"
	Netns Mode = "netns"
)

// NoHosts, as Options.Hosts, makes a bed with no host: add them one by one
// with AddHost, each with a configuration of its own.
const NoHosts = -1

// Options describe a bed. Zero values take the defaults given.
type Options struct {
	Hosts int  // number of hosts (daemons); default 3; NoHosts for none
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
	// Bin is a prebuilt daemon binary to run; default the one built for
	// Race and Tags.
	Bin string

	// Names gives host i's node name (and Host.Name); default "h%02d".
	// Two hosts may share one (a node-name conflict); their directories
	// stay apart.
	Names func(host int) string
	// Tags are build tags of the daemon binary, e.g. "diskd_testhooks" for
	// the test-only _panic command.
	Tags []string
	// Keys are auth.keys (base64) of every host: a keyed cluster.
	Keys []string
	// Pin, if set, gives the CPU list host i's daemon is pinned to
	// (taskset -c); "" runs it unpinned.
	Pin func(host int) string
	// YAML is configuration text merged over every host's configuration
	// (after Configure): for keys the options do not name. A mapping
	// replaces key by key; any other value replaces the whole value.
	YAML string
	// ReceiveLoss, if set, gives the percentage of its peers' datagrams
	// host i drops on receipt, each independently at random (netns mode
	// only; an nftables rule in the host's namespace, see LossUnavailable
	// and Host.LossCounters). 0 adds the counting rule and drops nothing.
	ReceiveLoss func(host int) int
	// IPv6 gives every host (netns mode only) an IPv6 address of
	// fd00:198:18::/48 beside its IPv4 one, with duplicate address
	// detection off so that its addresses, link-local too, are usable at
	// once (Host.Addr6). IPv6 multicast is not delivered on lo.
	IPv6 bool
	// Group is multicast.group of every host instead of a random
	// 239.255.x.y, e.g. an IPv6 group (with IPv6).
	Group string
}

// HostOptions describe one host added with Bed.AddHost. Zero values take
// the bed's options.
type HostOptions struct {
	// Name is the node name; default "h%02d" of the host's index.
	Name string
	// Disks are the initial disks; nil takes Options.Disks. A non-nil
	// empty list gives no disks.
	Disks []Disk
	// BlkidOutput, when not empty, is what the fake blkid prints instead
	// of Disks rendered: a fixture in `blkid -o export` form, broken or
	// odd as a test needs.
	BlkidOutput string
	// BlkidCommand replaces the fake blkid (cat of Host.BlkidFile), e.g. a
	// script of the test's or the real blkid.
	BlkidCommand []string
	// MountsFile is a mount table of the test's (a fixture file, or
	// /proc/self/mountinfo) instead of the one the bed writes from Disks;
	// ChangeDisks then leaves it alone.
	MountsFile string
	// StateFile is state_file; "" follows Options.StateFile.
	StateFile string
	// Keys are auth.keys (base64), added to Options.Keys.
	Keys []string
	// Pin is the CPU list for taskset -c; "" follows Options.Pin.
	Pin string
	// Configure adjusts the configuration after Options.Configure. It must
	// not change multicast.interface.
	Configure func(c *config.Config)
	// YAML is merged over the configuration after Options.YAML (see
	// Options.YAML).
	YAML string
	// Args, when set, are the daemon's arguments instead of
	// `daemon --config Host.ConfigFile` (the file is written all the same):
	// to start it the way a user types it, with flags.
	Args []string
	// Socket replaces the socket path (Host.Socket), e.g. for Args that
	// name their own.
	Socket string
	// Env is added to the daemon's environment (HOME is the host's
	// directory).
	Env []string
	// NoStart: AddHost prepares the host but does not start it; call
	// Host.Start (and WaitReady) when the test wants it running.
	NoStart bool
}

func (o *Options) defaults() {
	if o.Hosts == 0 {
		o.Hosts = 3
	}
	if o.Hosts < 0 {
		o.Hosts = 0
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
