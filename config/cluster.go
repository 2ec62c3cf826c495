package config

import (
	"net"
	"strconv"
	"strings"
)

// Cluster is the second transport: a memberlist cluster reached over
// unicast (docs/operations.md, "Choosing a transport"), for networks that
// carry no multicast. Off by default: multicast alone needs no setup.
type Cluster struct {
	Enabled bool `yaml:"enabled"`
	// Bind is host:port of memberlist's TCP and UDP sockets.
	Bind string `yaml:"bind"`
	// Advertise is host:port peers should use to reach this daemon (behind
	// NAT, or when bind is 0.0.0.0); "" derives it from bind.
	Advertise string `yaml:"advertise"`
	// Join lists seeds (host:port); tried with back-off until one answers.
	Join []string `yaml:"join"`
	// Profile picks memberlist's timers: lan, wan or local.
	Profile string `yaml:"profile"`
	// Label: clusters with different labels never merge.
	Label string `yaml:"label"`
}

// Defaults of the cluster section.
const (
	DefaultClusterBind    = "0.0.0.0:7947"
	DefaultClusterProfile = "lan"
	MaxClusterJoin        = 64
	MaxClusterLabel       = 64 // memberlist allows 255; ours stays short
)

func defaultCluster() Cluster {
	return Cluster{Bind: DefaultClusterBind, Profile: DefaultClusterProfile}
}

// clusterProblems checks the cluster section; the addresses are checked
// even while it is off, so that turning it on later does not surprise.
func (c *Config) clusterProblems(add func(key string, value any, format string, args ...any)) {
	cl := c.Cluster
	if msg := hostPortProblem(cl.Bind, true); msg != "" {
		add("cluster.bind", cl.Bind, "%s", msg)
	}
	if cl.Advertise != "" {
		if msg := hostPortProblem(cl.Advertise, false); msg != "" {
			add("cluster.advertise", cl.Advertise, "%s", msg)
		}
	}
	if len(cl.Join) > MaxClusterJoin {
		add("cluster.join", len(cl.Join), "at most %d seeds", MaxClusterJoin)
	}
	for i, j := range cl.Join {
		if msg := seedProblem(j); msg != "" {
			add("cluster.join["+strconv.Itoa(i)+"]", j, "%s", msg)
		}
	}
	switch cl.Profile {
	case "lan", "wan", "local":
	default:
		add("cluster.profile", cl.Profile, "must be lan, wan or local")
	}
	switch l := cl.Label; {
	case len(l) > MaxClusterLabel:
		add("cluster.label", l, "%d bytes, more than %d", len(l), MaxClusterLabel)
	case strings.IndexFunc(l, func(r rune) bool { return !isNodeRune(r) }) >= 0:
		add("cluster.label", l, "may contain only letters, digits, '.', '_' and '-'")
	}
}

// hostPortProblem checks an IP:port (bind and advertise are addresses, not
// names: memberlist binds and advertises IPs).
func hostPortProblem(s string, anyHost bool) string {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "must be ip:port"
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return "the host must be an IP address"
	}
	if ip.IsUnspecified() && !anyHost {
		return "must name an address peers can reach, not " + host
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return "the port must be 1..65535"
	}
	return ""
}

// seedProblem checks a seed: host (name or IP) and port.
func seedProblem(s string) string {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" {
		return "must be host:port"
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return "the port must be 1..65535"
	}
	return ""
}
