package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/diskd-actors/diskd-actors/actors/transport"
)

// Validate reports every problem with c at once, joined with errors.Join.
// Each is a *KeyError naming the key path and the value, e.g.
//
//	multicast.group "10.0.0.1": not an IPv4 multicast address (224.0.0.0/4)
func (c *Config) Validate() error {
	if c == nil {
		return errors.New("config: nil *Config")
	}
	ps := c.problems()
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = p
	}
	return errors.Join(errs...)
}

// problems lists what is wrong with c, in the order of the fields.
func (c *Config) problems() []*KeyError {
	var ps []*KeyError
	add := func(key string, value any, format string, args ...any) {
		v := fmt.Sprint(value)
		switch value := value.(type) {
		case string:
			v = fmt.Sprintf("%q", value)
		case time.Duration:
			v = fmt.Sprintf("%q", value.String())
		}
		ps = append(ps, &KeyError{Key: key, Msg: key + " " + v + ": " + fmt.Sprintf(format, args...)})
	}

	switch n := c.Node; {
	case n == "":
		add("node", n, "must not be empty")
	case len(n) > MaxNodeLen:
		add("node", n, "%d bytes, more than %d", len(n), MaxNodeLen)
	case strings.IndexFunc(n, func(r rune) bool { return !isNodeRune(r) }) >= 0:
		add("node", n, "may contain only letters, digits, '.', '_' and '-'")
	case !isAlnum(rune(n[0])):
		add("node", n, "must start with a letter or a digit")
	}

	switch s := c.Socket; {
	case s == "":
		add("socket", s, "must not be empty")
	case strings.IndexByte(s, 0) >= 0:
		add("socket", s, "must not contain a NUL byte")
	case !filepath.IsAbs(s):
		add("socket", s, "must be an absolute path (in a file, a leading ~/ stands for the home directory)")
	case len(s) > MaxSocketPath:
		add("socket", s, "%d bytes, more than %d, the limit of a unix socket path (sun_path)", len(s), MaxSocketPath)
	}

	m := c.Multicast
	// IPv4 or IPv6; the rules are the transport's own (transport.ParseGroup).
	if _, _, err := transport.ParseGroup(m.Group, m.Interface); err != nil {
		add("multicast.group", m.Group, "%s", err)
	} else if transport.IsIPv6Group(m.Group) && (c.Legacy.Accept || c.Legacy.Announce) {
		add("multicast.group", m.Group, "legacy.accept and legacy.announce need an IPv4 group: the original diskd speaks IPv4 only")
	}
	if m.Port < 1 || m.Port > 65535 {
		add("multicast.port", m.Port, "must be between 1 and 65535")
	}
	switch i := m.Interface; {
	case i == "": // the system default
	case len(i) > MaxInterfaceLen:
		add("multicast.interface", i, "%d bytes, more than %d, the limit of an interface name", len(i), MaxInterfaceLen)
	case i == "." || i == ".." || strings.IndexFunc(i, func(r rune) bool {
		return r == '/' || r == ':' || unicode.IsSpace(r) || unicode.IsControl(r)
	}) >= 0:
		add("multicast.interface", i, "not an interface name (no '/', ':', spaces or control characters)")
	}
	if m.TTL < 0 || m.TTL > 255 {
		add("multicast.ttl", m.TTL, "must be between 0 and 255")
	}
	if m.ReceiveBuffer != 0 && (m.ReceiveBuffer < MinReceiveBuffer || m.ReceiveBuffer > MaxReceiveBuffer) {
		add("multicast.receive_buffer", m.ReceiveBuffer, "must be 0 (the default) or between %d (64 KiB) and %d (256 MiB) bytes", MinReceiveBuffer, MaxReceiveBuffer)
	}

	between := func(key string, d, lo, hi time.Duration, los, his string) {
		if d < lo || d > hi {
			add(key, d, "must be between %s and %s", los, his)
		}
	}
	between("announce.interval", c.Announce.Interval, 100*time.Millisecond, 24*time.Hour, "100ms", "24h")
	b := c.Blkid
	switch {
	case len(b.Command) == 0:
		add("blkid.command", b.Command, "must name a program to run")
	case b.Command[0] == "":
		add("blkid.command[0]", "", "the program name must not be empty")
	}
	for i, arg := range b.Command {
		if strings.IndexByte(arg, 0) >= 0 {
			add(fmt.Sprintf("blkid.command[%d]", i), arg, "must not contain a NUL byte")
		}
	}
	between("blkid.interval", b.Interval, 100*time.Millisecond, 24*time.Hour, "100ms", "24h")
	between("blkid.timeout", b.Timeout, 10*time.Millisecond, 10*time.Minute, "10ms", "10m")

	between("peer.timeout", c.Peer.Timeout, time.Second, 72*time.Hour, "1s", "72h")
	if c.Peer.Timeout >= time.Second && c.Peer.Timeout <= 72*time.Hour && c.Peer.Timeout < 2*c.Announce.Interval {
		add("peer.timeout", c.Peer.Timeout, "must be at least twice announce.interval (%s), or peers flap between alive and down", c.Announce.Interval)
	}
	between("peer.forget_after", c.Peer.ForgetAfter, time.Minute, 8760*time.Hour, "1m", "8760h")
	if c.StateFile != "" && (!filepath.IsAbs(c.StateFile) || strings.IndexByte(c.StateFile, 0) >= 0 || filepath.Clean(c.StateFile) == "/") {
		add("state_file", c.StateFile, "must be an absolute path without NUL, naming a file (or empty to disable persistence)")
	}
	between("mounts.interval", c.Mounts.Interval, 100*time.Millisecond, 24*time.Hour, "100ms", "24h")
	if !filepath.IsAbs(c.Mounts.File) || strings.IndexByte(c.Mounts.File, 0) >= 0 {
		add("mounts.file", c.Mounts.File, "must be an absolute path")
	}

	for i, k := range c.Auth.Keys {
		// The message must not quote the key: it is a secret.
		if _, err := decodeKey(k); err != nil {
			key := fmt.Sprintf("auth.keys[%d]", i)
			ps = append(ps, &KeyError{Key: key, Msg: key + ": " + err.Error()})
		}
	}
	for i, f := range c.Auth.KeyFiles {
		if !filepath.IsAbs(f) || strings.IndexByte(f, 0) >= 0 {
			add(fmt.Sprintf("auth.key_files[%d]", i), f, "must be an absolute path")
		}
	}

	if c.Legacy.Announce && (len(c.Auth.Keys) > 0 || len(c.Auth.KeyFiles) > 0) {
		add("legacy.announce", c.Legacy.Announce, "cannot be used with auth keys: the original's format cannot be signed")
	}

	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		add("log.level", c.Log.Level, "must be one of debug, info, warn, error")
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		add("log.format", c.Log.Format, "must be text or json")
	}
	c.limitProblems(add)
	c.serviceProblems(add)
	c.httpProblems(add)
	c.identityProblems(add)
	c.repairProblems(add)
	c.mountProblems(add)
	c.clusterProblems(add)
	return ps
}

func isAlnum(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}

func isNodeRune(r rune) bool { return isAlnum(r) || r == '.' || r == '_' || r == '-' }
