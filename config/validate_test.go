package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   string // "" for valid
	}{
		{"node of 64 bytes", func(c *Config) { c.Node = strings.Repeat("a", 64) }, ""},
		{"node with dots, dashes, underscores", func(c *Config) { c.Node = "9a.b-c_d" }, ""},
		{"empty node", func(c *Config) { c.Node = "" }, `node "": must not be empty`},
		{"node of 65 bytes", func(c *Config) { c.Node = strings.Repeat("a", 65) }, "65 bytes, more than 64"},
		{"node with a slash", func(c *Config) { c.Node = "a/b" }, `node "a/b": may contain only`},
		{"node not ASCII", func(c *Config) { c.Node = "café" }, `node "café": may contain only`},
		{"node starting with a dot", func(c *Config) { c.Node = ".a" }, "must start with a letter or a digit"},
		{"socket of 107 bytes", func(c *Config) { c.Socket = "/" + strings.Repeat("s", 106) }, ""},
		{"socket of 108 bytes", func(c *Config) { c.Socket = "/" + strings.Repeat("s", 107) }, "108 bytes, more than 107"},
		{"empty socket", func(c *Config) { c.Socket = "" }, `socket "": must not be empty`},
		{"relative socket", func(c *Config) { c.Socket = "diskd.sock" }, "must be an absolute path"},
		{"tilde not expanded by Validate", func(c *Config) { c.Socket = "~/diskd.sock" }, "must be an absolute path"},
		{"socket with NUL", func(c *Config) { c.Socket = "/a\x00b" }, "NUL"},
		{"group at the bottom", func(c *Config) { c.Multicast.Group = "224.0.0.0" }, ""},
		{"group at the top", func(c *Config) { c.Multicast.Group = "239.255.255.255" }, ""},
		{"unicast group", func(c *Config) { c.Multicast.Group = "240.0.0.1" }, "not an IPv4 multicast address"},
		{"IPv6 link-local group without an interface", func(c *Config) { c.Multicast.Group = "ff02::1" },
			`multicast.group "ff02::1": a link-local (ff02::/16) group needs an interface`},
		{"IPv6 link-local group with an interface", func(c *Config) { c.Multicast.Group, c.Multicast.Interface = "ff02::db", "eth0" }, ""},
		{"IPv6 link-local group with a zone", func(c *Config) { c.Multicast.Group = "ff02::db%eth0" }, ""},
		{"IPv6 zone and interface agree", func(c *Config) { c.Multicast.Group, c.Multicast.Interface = "ff02::db%eth0", "eth0" }, ""},
		{"IPv6 zone and interface disagree", func(c *Config) { c.Multicast.Group, c.Multicast.Interface = "ff02::db%eth1", "eth0" },
			`the zone names interface "eth1", but multicast.interface is "eth0"`},
		{"IPv6 interface-local group without an interface", func(c *Config) { c.Multicast.Group = "ff01::db" },
			"an interface-local (ff01::/16) group needs an interface"},
		{"IPv6 site-local group", func(c *Config) { c.Multicast.Group = "ff05::db" }, ""},
		{"IPv6 organisation-local group", func(c *Config) { c.Multicast.Group = "ff08::db" }, ""},
		{"IPv6 reserved scope", func(c *Config) { c.Multicast.Group = "ff00::db" }, "scope 0 is reserved"},
		{"IPv6 unicast", func(c *Config) { c.Multicast.Group, c.Multicast.Interface = "fe80::1", "eth0" },
			`multicast.group "fe80::1": not an IPv6 multicast address (ff00::/8`},
		{"IPv6 group with legacy.accept", func(c *Config) { c.Multicast.Group, c.Legacy.Accept = "ff05::db", true },
			"the original diskd speaks IPv4 only"},
		{"IPv6 group with legacy.announce", func(c *Config) { c.Multicast.Group, c.Legacy.Announce = "ff05::db", true },
			"the original diskd speaks IPv4 only"},
		{"IPv4-mapped IPv6 group", func(c *Config) { c.Multicast.Group = "::ffff:230.1.2.3" }, "an IPv4-mapped IPv6 address: write the IPv4 group as is (230.1.2.3)"},
		{"IPv4 group with a zone", func(c *Config) { c.Multicast.Group = "230.1.2.3%eth0" }, "not an IP address"},
		{"empty group", func(c *Config) { c.Multicast.Group = "" }, `multicast.group "": not an IP address`},
		{"port 1", func(c *Config) { c.Multicast.Port = 1 }, ""},
		{"port 0", func(c *Config) { c.Multicast.Port = 0 }, "multicast.port 0: must be between 1 and 65535"},
		{"port 65536", func(c *Config) { c.Multicast.Port = 65536 }, "multicast.port 65536"},
		{"interface of 15 bytes", func(c *Config) { c.Multicast.Interface = strings.Repeat("i", 15) }, ""},
		{"interface of 16 bytes", func(c *Config) { c.Multicast.Interface = strings.Repeat("i", 16) }, "16 bytes, more than 15"},
		{"interface with a slash", func(c *Config) { c.Multicast.Interface = "a/b" }, "not an interface name"},
		{"interface with a tab", func(c *Config) { c.Multicast.Interface = "a\tb" }, "not an interface name"},
		{"interface ..", func(c *Config) { c.Multicast.Interface = ".." }, "not an interface name"},
		{"ttl 0", func(c *Config) { c.Multicast.TTL = 0 }, ""},
		{"ttl -1", func(c *Config) { c.Multicast.TTL = -1 }, "multicast.ttl -1: must be between 0 and 255"},
		{"announce 99ms", func(c *Config) { c.Announce.Interval = 99 * time.Millisecond },
			`announce.interval "99ms": must be between 100ms and 24h`},
		{"blkid interval over 24h", func(c *Config) { c.Blkid.Interval = 24*time.Hour + 1 }, "blkid.interval"},
		{"blkid timeout 10m", func(c *Config) { c.Blkid.Timeout = 10 * time.Minute }, ""},
		{"blkid timeout 9ms", func(c *Config) { c.Blkid.Timeout = 9 * time.Millisecond }, "blkid.timeout"},
		{"nil command", func(c *Config) { c.Blkid.Command = nil }, "blkid.command []: must name a program to run"},
		{"empty program", func(c *Config) { c.Blkid.Command = []string{"", "-o"} }, "blkid.command[0]"},
		{"empty later argument", func(c *Config) { c.Blkid.Command = []string{"blkid", ""} }, ""},
		{"argument with NUL", func(c *Config) { c.Blkid.Command = []string{"blkid", "a\x00"} }, "blkid.command[1]"},
		{"peer timeout twice announce", func(c *Config) { c.Peer.Timeout = 2 * c.Announce.Interval }, ""},
		{"peer timeout under twice announce", func(c *Config) { c.Peer.Timeout = 2*c.Announce.Interval - 1 },
			"must be at least twice announce.interval (30s), or peers flap between alive and down"},
		{"peer timeout 1s, announce 500ms", func(c *Config) {
			c.Announce.Interval, c.Peer.Timeout = 500*time.Millisecond, time.Second
		}, ""},
		{"peer timeout 999ms, announce 100ms", func(c *Config) {
			c.Announce.Interval, c.Peer.Timeout = 100*time.Millisecond, time.Second-time.Millisecond
		}, `peer.timeout "999ms": must be between 1s and 72h`},
		{"peer timeout 0", func(c *Config) { c.Peer.Timeout = 0 }, `peer.timeout "0s": must be between 1s and 72h`},
		{"peer timeout 72h", func(c *Config) { c.Peer.Timeout = 72 * time.Hour }, ""},
		{"peer timeout over 72h", func(c *Config) { c.Peer.Timeout = 72*time.Hour + 1 }, "peer.timeout"},
		{"announce raised past the default peer timeout", func(c *Config) { c.Announce.Interval = 46 * time.Second },
			`peer.timeout "1m30s": must be at least twice announce.interval (46s)`},
		{"forget after 1m", func(c *Config) { c.Peer.ForgetAfter = time.Minute }, ""},
		{"forget after 59s", func(c *Config) { c.Peer.ForgetAfter = 59 * time.Second },
			`peer.forget_after "59s": must be between 1m and 8760h`},
		{"forget after 8760h", func(c *Config) { c.Peer.ForgetAfter = 8760 * time.Hour }, ""},
		{"forget after over 8760h", func(c *Config) { c.Peer.ForgetAfter = 8760*time.Hour + 1 }, "peer.forget_after"},
		{"empty state file", func(c *Config) { c.StateFile = "" }, ""},
		{"relative state file", func(c *Config) { c.StateFile = "state.yaml" },
			`state_file "state.yaml": must be an absolute path without NUL, naming a file (or empty to disable persistence)`},
		{"tilde state file not expanded by Validate", func(c *Config) { c.StateFile = "~/state.yaml" }, "must be an absolute path"},
		{"mounts interval 100ms", func(c *Config) { c.Mounts.Interval = 100 * time.Millisecond }, ""},
		{"mounts interval 99ms", func(c *Config) { c.Mounts.Interval = 99 * time.Millisecond },
			`mounts.interval "99ms": must be between 100ms and 24h`},
		{"mounts interval 24h", func(c *Config) { c.Mounts.Interval = 24 * time.Hour }, ""},
		{"mounts interval over 24h", func(c *Config) { c.Mounts.Interval = 24*time.Hour + 1 }, "mounts.interval"},
		{"empty mounts file", func(c *Config) { c.Mounts.File = "" }, `mounts.file "": must be an absolute path`},
		{"relative mounts file", func(c *Config) { c.Mounts.File = "proc/self/mountinfo" }, "must be an absolute path"},
		{"level DEBUG", func(c *Config) { c.Log.Level = "DEBUG" }, `log.level "DEBUG"`},
		{"format json", func(c *Config) { c.Log.Format = "json" }, ""},
		{"format yaml", func(c *Config) { c.Log.Format = "yaml" }, `log.format "yaml"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.change(c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestValidate_reportsEveryProblem(t *testing.T) {
	c := &Config{} // every key is missing; an empty state_file is valid (no persistence)
	err := c.Validate()
	var keys []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var ke *KeyError
		if !errors.As(e, &ke) {
			t.Fatalf("got %T, want *KeyError", e)
		}
		if ke.Line != 0 {
			t.Errorf("%s: got line %d, want 0", ke.Key, ke.Line)
		}
		keys = append(keys, ke.Key)
	}
	want := []string{"node", "socket", "multicast.group", "multicast.port", "announce.interval",
		"blkid.command", "blkid.interval", "blkid.timeout", "peer.timeout", "peer.forget_after",
		"mounts.interval", "mounts.file", "log.level", "log.format",
		"limits.max_disks", "limits.max_peers", "limits.max_bytes",
		"identity.sysfs", "hotplug.debounce", "repair.unit",
		"mount.timeout", "mount.wait", "mount.command", "mount.unmount_command"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("got %q, want %q", keys, want)
	}
	if err := (*Config)(nil).Validate(); err == nil {
		t.Errorf("nil Config: got no error, want one")
	}
}
