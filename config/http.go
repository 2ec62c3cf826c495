package config

import (
	"net"
	"strconv"
	"strings"
)

// HTTP is the optional web listener: Prometheus metrics on /metrics and the
// read-only web page on /. Off by default: it shows every disk the daemon
// knows to whoever can reach it, so bind it to loopback or a management
// network.
type HTTP struct {
	// Listen is host:port, e.g. 127.0.0.1:9747; port 0 picks a free one
	// (status shows it). "" (the default) serves nothing.
	Listen string `yaml:"listen"`
}

// DefaultHTTPExample is the address the documentation's examples use.
const DefaultHTTPExample = "127.0.0.1:9747"

// httpProblems checks the http section.
func (c *Config) httpProblems(add func(key string, value any, format string, args ...any)) {
	l := c.HTTP.Listen
	if l == "" {
		return
	}
	host, port, err := net.SplitHostPort(l)
	if err != nil {
		add("http.listen", l, "must be host:port, e.g. %s", DefaultHTTPExample)
		return
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		add("http.listen", l, "port must be a number between 0 and 65535")
	}
	if strings.ContainsAny(host, " /\x00") {
		add("http.listen", l, "host must be an IP address or a host name")
	}
}
