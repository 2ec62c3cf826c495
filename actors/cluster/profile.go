package cluster

import (
	"fmt"
	"math"
	"net"
	"strconv"
	"time"

	"github.com/hashicorp/memberlist"

	"github.com/diskd-actors/diskd-actors/config"
)

// NewConfig returns memberlist's configuration for our cluster section:
// the profile's timers, bind and advertise addresses, the label. The
// caller sets the delegates, the keyring and the logger.
func NewConfig(name string, c config.Cluster) (*memberlist.Config, error) {
	var mc *memberlist.Config
	switch c.Profile {
	case "lan", "":
		mc = memberlist.DefaultLANConfig()
	case "wan":
		mc = memberlist.DefaultWANConfig()
	case "local":
		mc = memberlist.DefaultLocalConfig()
	default:
		return nil, fmt.Errorf("cluster profile %q", c.Profile)
	}
	mc.Name = name
	host, port, err := splitHostPort(c.Bind)
	if err != nil {
		return nil, fmt.Errorf("cluster.bind: %w", err)
	}
	mc.BindAddr, mc.BindPort = host, port
	mc.AdvertisePort = port
	if c.Advertise != "" {
		if mc.AdvertiseAddr, mc.AdvertisePort, err = splitHostPort(c.Advertise); err != nil {
			return nil, fmt.Errorf("cluster.advertise: %w", err)
		}
	} else if ip := net.ParseIP(host); ip != nil && !ip.IsUnspecified() {
		mc.AdvertiseAddr = host
	}
	mc.Label = c.Label
	mc.EnableCompression = true // inventories are JSON
	return mc, nil
}

// DownWithin is how long after a crash the failure detector declares a
// node of a cluster of n dead, at most: memberlist's largest suspicion
// timeout plus a probe round. Tests wait this long.
func DownWithin(mc *memberlist.Config, n int) time.Duration {
	nodeScale := max(1.0, math.Log10(float64(n)))
	base := time.Duration(float64(mc.SuspicionMult) * nodeScale * float64(mc.ProbeInterval))
	return time.Duration(mc.SuspicionMaxTimeoutMult)*base + 2*mc.ProbeInterval + mc.ProbeTimeout
}

func splitHostPort(s string) (string, int, error) {
	h, p, err := net.SplitHostPort(s)
	if err != nil {
		return "", 0, err
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return "", 0, fmt.Errorf("port %q", p)
	}
	return h, n, nil
}
