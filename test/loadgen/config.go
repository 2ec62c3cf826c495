package loadgen

import (
	"errors"
	"fmt"
	"math"
	"net"
	"time"

	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// Config describes the simulated peers and how they send.
type Config struct {
	// Group and Port: the daemon's multicast group (IPv4) and UDP port.
	Group string
	Port  int
	// Peers and DisksPerPeer: how many peers, and the disks of each.
	Peers        int
	DisksPerPeer int
	// NodePrefix names the peers NodePrefix-0000, NodePrefix-0001, ...
	// Default "sim".
	NodePrefix string
	// Key signs every valid datagram (HMAC-SHA256) when set; at least
	// wire.MinKeySize bytes.
	Key []byte
	// Mode: Steady, Flood or FloodAnnounces.
	Mode Mode
	// Sockets is the number of sender sockets, at most Peers; peer i sends
	// from socket i mod Sockets. Default: enough for Rate at MaxSocketRate
	// each, at least 4 (but no more than Peers).
	Sockets int
	// Workers is the number of sending goroutines. Default min(Sockets, 4).
	Workers int
	// Rate is the total paced rate in datagrams per second. 0 means
	// DefaultSteadyRate in Steady mode and unpaced (as fast as the sockets
	// take them) in the Flood modes. SetRate changes it while running.
	Rate float64
	// AnnounceEvery is the period of announces in Steady mode. Default 1s.
	AnnounceEvery time.Duration
	// AnswerRequests makes the generator listen on the group and answer
	// request datagrams for its peers' chunks.
	AnswerRequests bool
	// Hostile is the share of datagrams, 0 to 0.9, replaced by hostile
	// ones (see HostileKinds); in the Flood modes only.
	Hostile float64
	// MaxDatagrams and MaxDuration bound the run; 0 means the defaults.
	MaxDatagrams uint64
	MaxDuration  time.Duration
	// Seed makes instance ids reproducible; 0 draws them at random.
	Seed uint64
}

// fill checks c and fills in its defaults.
func (c *Config) fill() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("loadgen: "+format, a...)) }
	if ip := net.ParseIP(c.Group).To4(); ip == nil || !ip.IsMulticast() {
		bad("group %q: want an IPv4 multicast address", c.Group)
	}
	if c.Port < 1 || c.Port > 65535 {
		bad("port %d: want 1 to 65535", c.Port)
	}
	if c.Peers < 1 || c.Peers > MaxPeers {
		bad("peers %d: want 1 to %d", c.Peers, MaxPeers)
	}
	if c.DisksPerPeer < 0 || c.DisksPerPeer > wire.MaxDisksPerPeer {
		bad("disks per peer %d: want 0 to %d", c.DisksPerPeer, wire.MaxDisksPerPeer)
	}
	if c.NodePrefix == "" {
		c.NodePrefix = "sim"
	}
	if err := wire.ValidNodeName(c.NodePrefix + "-0000"); err != nil {
		bad("node prefix: %v", err)
	}
	if len(c.Key) > 0 && len(c.Key) < wire.MinKeySize {
		bad("key of %d bytes: want at least %d", len(c.Key), wire.MinKeySize)
	}
	if c.Mode != Steady && c.Mode != Flood && c.Mode != FloodAnnounces {
		bad("mode %d: want Steady, Flood or FloodAnnounces", c.Mode)
	}
	if c.Rate < 0 || math.IsNaN(c.Rate) || math.IsInf(c.Rate, 0) {
		bad("rate %v: want 0 or more", c.Rate)
	}
	if c.Mode == Steady && c.Rate == 0 {
		socks := c.Peers
		if c.Sockets > 0 {
			socks = c.Sockets
		}
		c.Rate = min(DefaultSteadyRate, float64(MaxSocketRate*max(socks, 1)))
	}
	if c.Sockets == 0 {
		c.Sockets = min(max(4, int(math.Ceil(c.Rate/MaxSocketRate))), max(c.Peers, 1))
	}
	if c.Sockets < 1 || c.Sockets > MaxSockets || c.Sockets > max(c.Peers, 1) {
		bad("sockets %d: want 1 to %d and no more than the peers", c.Sockets, MaxSockets)
	} else if c.Rate/float64(c.Sockets) > MaxSocketRate {
		bad("rate %.0f/s over %d sockets is more than %d/s per socket: the daemon's limit per source would drop it",
			c.Rate, c.Sockets, MaxSocketRate)
	}
	if c.Workers == 0 {
		c.Workers = min(c.Sockets, 4)
	}
	if c.Workers < 1 || c.Workers > c.Sockets {
		bad("workers %d: want 1 to the socket count %d", c.Workers, c.Sockets)
	}
	if c.AnnounceEvery == 0 {
		c.AnnounceEvery = time.Second
	}
	if c.AnnounceEvery < 10*time.Millisecond {
		bad("announce every %v: want at least 10ms", c.AnnounceEvery)
	}
	if c.Hostile < 0 || c.Hostile > 0.9 || c.Hostile > 0 && c.Mode == Steady {
		bad("hostile share %v: want 0 to 0.9, in the Flood modes only", c.Hostile)
	}
	if c.AnswerRequests && c.Mode != Steady {
		bad("answering requests: in Steady mode only")
	}
	if c.MaxDatagrams == 0 {
		c.MaxDatagrams = DefaultMaxDatagrams
	}
	if c.MaxDuration <= 0 {
		c.MaxDuration = DefaultMaxDuration
	}
	return errors.Join(errs...)
}
