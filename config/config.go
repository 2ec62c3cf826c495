package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Limits on the file and on values the kernel bounds.
const (
	// MaxFileSize is the largest configuration file Load and Parse accept (1 MiB).
	MaxFileSize = 1 << 20
	// MaxNodeLen is the longest node name, in bytes.
	MaxNodeLen = 64
	// MaxSocketPath is the longest socket path, in bytes: sun_path in
	// struct sockaddr_un holds 108 bytes including the terminating NUL.
	MaxSocketPath = 107
	// MaxInterfaceLen is the longest interface name, in bytes: IFNAMSIZ is 16
	// including the terminating NUL.
	MaxInterfaceLen = 15
	// MinReceiveBuffer and MaxReceiveBuffer bound multicast.receive_buffer.
	MinReceiveBuffer = 64 << 10
	MaxReceiveBuffer = 256 << 20
	// MinKeySize is the shortest authentication key, in bytes once decoded
	// from base64 (wire.MinKeySize).
	MinKeySize = 16
	// MaxKeyFileSize is the largest key file Keyring reads, in bytes.
	MaxKeyFileSize = 4096
)

// Defaults that do not depend on the host.
const (
	DefaultGroup            = "230.1.2.3"
	DefaultPort             = 32003
	DefaultTTL              = 1
	DefaultReceiveBuffer    = 4 << 20 // multicast.receive_buffer, bytes
	DefaultAnnounceInterval = 30 * time.Second
	DefaultBlkidInterval    = 30 * time.Second
	DefaultBlkidTimeout     = 15 * time.Second
	DefaultHotplugDebounce  = 100 * time.Millisecond
	DefaultPeerTimeout      = 90 * time.Second
	DefaultForgetAfter      = 168 * time.Hour
	DefaultMountsInterval   = 10 * time.Second
	DefaultMountsFile       = "/proc/self/mountinfo"
	DefaultLogLevel         = "info"
	DefaultLogFormat        = "text"
)

// Config is the daemon's configuration. Build one with Default, Fast, Load or
// Parse; a Config built by hand should be checked with Validate.
type Config struct {
	Node      string    `yaml:"node"`   // name announced to peers; default: the host name
	Socket    string    `yaml:"socket"` // unix socket path; default: $HOME/.diskd-socket
	Multicast Multicast `yaml:"multicast"`
	Announce  Announce  `yaml:"announce"`
	Blkid     Blkid     `yaml:"blkid"`
	Peer      Peer      `yaml:"peer"`
	// StateFile keeps what the daemon knows across restarts; "" disables
	// persistence. Default: $HOME/.diskd-state.yaml. A leading "~/" is
	// expanded.
	StateFile string `yaml:"state_file"`
	Mounts    Mounts `yaml:"mounts"`
	Auth      Auth   `yaml:"auth"`
	Legacy    Legacy `yaml:"legacy"`
	Log       Log    `yaml:"log"`
	Limits    Limits `yaml:"limits"`
	// SocketGroup owns the socket when set (a group name or number), so
	// that with SocketMode 0660 its members may query the daemon without
	// root. Default "": the daemon's own group.
	SocketGroup string `yaml:"socket_group"`
	// SocketMode is the socket's permission bits, octal: "0600" (the
	// default) or "0660"-style group access; others never get access.
	SocketMode string   `yaml:"socket_mode"`
	HTTP       HTTP     `yaml:"http"` // web page and /metrics; off by default
	Identity   Identity `yaml:"identity"`
	Hotplug    Hotplug  `yaml:"hotplug"`
	Repair     Repair   `yaml:"repair"`
	Mount      Mount    `yaml:"mount"`   // remote mount and unmount; off without mount.policy
	Cluster    Cluster  `yaml:"cluster"` // unicast transport (config/cluster.go); off by default
}

// Auth holds the shared keys that sign and verify datagrams (HMAC-SHA256).
// With no keys, datagrams are sent unsigned and only unsigned ones are
// accepted. The keyring is Keys then KeyFiles, in order: the first key signs,
// every key verifies, so that keys can be rotated one daemon at a time.
type Auth struct {
	// Keys are keys written in the file, each base64 (standard alphabet,
	// with or without padding) of at least MinKeySize bytes.
	Keys []string `yaml:"keys"`
	// KeyFiles are absolute paths of files holding one base64 key each;
	// a file must be a regular file that only its owner may read or write.
	KeyFiles []string `yaml:"key_files"`
}

// Legacy controls interworking with the original Perl diskd.
type Legacy struct {
	// Accept: accept the original's datagrams. Only when no keys are
	// configured: they cannot be authenticated. Default false: with it on,
	// anyone on the LAN reaches a YAML parser and the peer table, so it is
	// an opt-in for interworking with the original.
	Accept bool `yaml:"accept"`
	// Announce: also announce the local inventory in the original's
	// format. Default false.
	Announce bool `yaml:"announce"`
}

// Peer controls how long silent peers are kept.
type Peer struct {
	// Timeout: a peer not heard for half of it is suspect, for all of it
	// down. At least twice announce.interval, at most 72h.
	Timeout time.Duration `yaml:"timeout"`
	// ForgetAfter: a peer down this long is forgotten, with its disks'
	// last-seen records. 1m..8760h.
	ForgetAfter time.Duration `yaml:"forget_after"`
}

// Mounts controls the MountWatcher.
type Mounts struct {
	Interval time.Duration `yaml:"interval"` // re-read period, 100ms..24h; changes are also seen at once
	File     string        `yaml:"file"`     // the mount table, /proc/self/mountinfo format
}

// Multicast is where announcements are sent and heard.
type Multicast struct {
	Group     string `yaml:"group"`     // IPv4 or IPv6 multicast address; IPv6 may name the interface as a zone (ff02::db%eth0)
	Port      int    `yaml:"port"`      // UDP port, 1..65535
	Interface string `yaml:"interface"` // interface name; "" means the system default
	TTL       int    `yaml:"ttl"`       // IP time to live, 0..255; 1 keeps datagrams on the LAN
	// ReceiveBuffer is the socket receive buffer asked of the kernel,
	// 64 KiB..256 MiB: room for bursts and for the reader's pauses.
	ReceiveBuffer int `yaml:"receive_buffer"`
}

// Announce controls the periodic announcement of this node's disks.
type Announce struct {
	Interval time.Duration `yaml:"interval"` // 100ms..24h
}

// Blkid controls the command that lists the local disks.
type Blkid struct {
	Command  []string      `yaml:"command"`  // argv; argv[0] is looked up in $PATH
	Interval time.Duration `yaml:"interval"` // time between scans, 100ms..24h
	Timeout  time.Duration `yaml:"timeout"`  // a scan running longer is killed, 10ms..10m
}

// Identity says where the physical disks' identity is read (see
// actors/identity): the sysfs root and udevd's database, which may be
// absent (no udevd: sysfs alone names size, disk, transport and flags).
type Identity struct {
	Sysfs    string `yaml:"sysfs"`     // absolute; default /sys
	UdevData string `yaml:"udev_data"` // absolute; default /run/udev/data; "" to not read it
}

// Hotplug controls the rescan on the kernel's block device events.
type Hotplug struct {
	Enabled bool `yaml:"enabled"` // listen to NETLINK_KOBJECT_UEVENT; default true
	// Debounce is how long a burst of events is gathered into one rescan,
	// 10ms..10s.
	Debounce time.Duration `yaml:"debounce"`
}

// Log controls the daemon's log output.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn or error
	Format string `yaml:"format"` // text or json
}

// Default returns the configuration used when no file is given. Every key has
// a default; the node name is the host name ("localhost" if unknown) and the
// socket is .diskd-socket in the home directory (os.TempDir if unknown).
func Default() *Config {
	node, err := os.Hostname()
	if err != nil || node == "" {
		node = "localhost"
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		home = os.TempDir()
	}
	c := &Config{
		Node:      node,
		Socket:    filepath.Join(home, ".diskd-socket"),
		Multicast: Multicast{Group: DefaultGroup, Port: DefaultPort, TTL: DefaultTTL, ReceiveBuffer: DefaultReceiveBuffer},
		Announce:  Announce{Interval: DefaultAnnounceInterval},
		Blkid: Blkid{
			Command:  []string{"blkid", "-c", "/dev/null", "-o", "export", "-d"},
			Interval: DefaultBlkidInterval,
			Timeout:  DefaultBlkidTimeout,
		},
		Peer:       Peer{Timeout: DefaultPeerTimeout, ForgetAfter: DefaultForgetAfter},
		StateFile:  filepath.Join(home, ".diskd-state.yaml"),
		Mounts:     Mounts{Interval: DefaultMountsInterval, File: DefaultMountsFile},
		Log:        Log{Level: DefaultLogLevel, Format: DefaultLogFormat},
		Limits:     defaultLimits(),
		SocketMode: DefaultSocketMode,
		Identity:   Identity{Sysfs: "/sys", UdevData: "/run/udev/data"},
		Hotplug:    Hotplug{Enabled: true, Debounce: DefaultHotplugDebounce},
		Repair:     defaultRepair(),
		Mount:      defaultMount(),
		Cluster:    defaultCluster(),
	}
	// Under systemd, RuntimeDirectory= and StateDirectory= give the places
	// for the socket and the state file.
	c.serviceDirs()
	return c
}

// Fast returns the profile for tests and the demo: Default with one-second
// announce and scan intervals, a five-second blkid timeout, and multicast on
// the loopback interface "lo", so that datagrams never leave the host (the
// TTL stays 1), and a 250 ms start-up delay. Tests take their timers from
// here rather than from constants of their own.
func Fast() *Config {
	c := Default()
	c.Announce.Interval = time.Second
	c.Blkid.Interval = time.Second
	c.Blkid.Timeout = 5 * time.Second
	c.Multicast.Interface = "lo"
	c.Peer.Timeout = 3 * time.Second
	c.Mounts.Interval = time.Second
	c.StateFile = "" // tests and demos must not share the user's state file
	c.Repair.StartupDelay = 250 * time.Millisecond
	return c
}

// Load reads the YAML file at path and decodes it on top of Default, as
// Parse does; errors name the file. Load("") returns Default, validated.
func Load(path string) (*Config, error) {
	if path == "" {
		c := Default()
		if ps := c.problems(); len(ps) > 0 {
			return nil, &Error{Problems: ps}
		}
		return c, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("config: %s: %w", path, err)
	}
	c, err := Parse(data)
	if err == nil && len(c.Auth.Keys) > 0 {
		fi, serr := f.Stat()
		if serr != nil {
			return nil, fmt.Errorf("config: %s: %w", path, serr)
		}
		if p := inlineKeysReadable(path, fi.Mode().Perm()); p != nil {
			err = &Error{Problems: []*KeyError{p}}
		}
	}
	if e := (*Error)(nil); errors.As(err, &e) {
		e.File = path
		return nil, err
	}
	return c, err
}

// Parse decodes a YAML document on top of Default and validates the result.
// Empty input gives the defaults. Keys not described by Config, a second
// document, more than MaxFileSize bytes, durations that are not Go duration
// strings ("30s", "1m30s") and keys written with no value are errors. A
// leading "~/" in socket is replaced by the home directory. Errors are an
// *Error listing every problem found.
func Parse(data []byte) (*Config, error) {
	if len(data) > MaxFileSize {
		return nil, &Error{Problems: []*KeyError{{Msg: fmt.Sprintf("the file is larger than the 1 MiB limit (%d bytes)", MaxFileSize)}}}
	}
	c := Default()
	lines, ps, decoded := decode(data, c)
	if decoded {
		ps = append(ps, c.checkDecoded(lines, ps)...)
	}
	if len(ps) > 0 {
		slices.SortStableFunc(ps, func(a, b *KeyError) int { return cmp.Compare(sortLine(a), sortLine(b)) })
		return nil, &Error{Problems: ps}
	}
	return c, nil
}

// checkDecoded expands a leading ~/ in the socket path and validates c. The
// problems found while decoding are given, so that a key is not reported
// twice; the others get the line of their key.
func (c *Config) checkDecoded(lines map[string]int, decoding []*KeyError) []*KeyError {
	c.Mount.normalize()
	for _, f := range []struct {
		key string
		v   *string
	}{{"socket", &c.Socket}, {"state_file", &c.StateFile}} {
		rest, ok := strings.CutPrefix(*f.v, "~/")
		if !ok {
			continue
		}
		home, err := os.UserHomeDir()
		if err != nil {
			return []*KeyError{{Key: f.key, Line: lines[f.key],
				Msg: fmt.Sprintf("%s %q: cannot expand ~/: %v", f.key, *f.v, err)}}
		}
		*f.v = filepath.Join(home, rest)
	}
	// An empty list is no list: "keys: []" is the default, nil.
	for _, l := range []*[]string{&c.Auth.Keys, &c.Auth.KeyFiles, &c.Cluster.Join} {
		if len(*l) == 0 {
			*l = nil
		}
	}
	// peer.timeout follows a raised announce.interval unless it is set.
	if _, set := lines["peer.timeout"]; !set && c.Peer.Timeout < 2*c.Announce.Interval {
		c.Peer.Timeout = 3 * c.Announce.Interval
	}
	var ps []*KeyError
	for _, p := range c.problems() {
		if !slices.ContainsFunc(decoding, func(d *KeyError) bool { return related(d.Key, p.Key) }) {
			p.Line = lines[p.Key]
			ps = append(ps, p)
		}
	}
	return ps
}

// sortLine orders problems by line, those without a line last.
func sortLine(p *KeyError) int {
	if p.Line == 0 {
		return math.MaxInt
	}
	return p.Line
}

// related reports whether key paths a and b are the same or one holds the other.
func related(a, b string) bool {
	within := func(a, b string) bool {
		rest, ok := strings.CutPrefix(a, b)
		return ok && (rest == "" || rest[0] == '.' || rest[0] == '[')
	}
	return within(a, b) || within(b, a)
}

// YAML returns the configuration as a YAML document that Parse accepts, with
// every key present and durations written as Go duration strings ("30s").
func (c *Config) YAML() ([]byte, error) {
	var n yaml.Node
	if err := n.Encode(c); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	flowLists(&n)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return b.Bytes(), nil
}

// flowLists writes lists of scalars on one line: command: [blkid, -o, export].
func flowLists(n *yaml.Node) {
	if n.Kind == yaml.SequenceNode {
		n.Style = yaml.FlowStyle
	}
	for _, c := range n.Content {
		flowLists(c)
	}
}

// KeyError is one problem with a configuration. Validate returns KeyErrors
// joined with errors.Join; Parse and Load return them in an *Error.
type KeyError struct {
	Key  string // dotted key path such as "multicast.group"; "" for the file as a whole
	Line int    // line of the key in the file; 0 if unknown (Validate knows no lines)
	Msg  string // the whole message, naming the key and its value
}

func (e *KeyError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// Error is returned by Load and Parse. It prints one problem a line, each
// prefixed with "config: " and, from Load, the file name:
//
//	config: /etc/diskd.yaml: line 3: unknown key "multicast.grup" (known: group, port, interface, ttl, receive_buffer)
type Error struct {
	File     string // the path given to Load; "" from Parse
	Problems []*KeyError
}

func (e *Error) Error() string {
	prefix := "config: "
	if e.File != "" {
		prefix += e.File + ": "
	}
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(prefix + p.Error())
	}
	return b.String()
}

// Unwrap returns the problems, for errors.As.
func (e *Error) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}
