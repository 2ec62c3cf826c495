package bed

import (
	"encoding/base64"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/config"
)

// testHost is a host of a bed with opts, with its files in a temporary
// directory, as addHost lays them out; nothing is started.
func testHost(t *testing.T, opts Options, ho HostOptions) (*Bed, *Host) {
	t.Helper()
	opts.defaults()
	dir := t.TempDir()
	b := &Bed{Group: "239.77.1.2", Port: 41234, Dir: dir, opts: opts}
	h := &Host{Index: 1, Name: "h01", Dir: dir, Socket: filepath.Join(dir, "s"),
		BlkidFile: filepath.Join(dir, "blkid.txt"), MountsFile: filepath.Join(dir, "mountinfo"),
		ConfigFile: filepath.Join(dir, "config.yaml"), Iface: "lo", bed: b, hopts: ho}
	return b, h
}

func testKey(fill byte) string {
	return base64.StdEncoding.EncodeToString([]byte(strings.Repeat(string(rune(fill)), 32)))
}

// The configuration file the bed writes is one the daemon loads, with the
// bed's settings, the options' and the host's, in that order of
// precedence.
func TestWriteConfig_loads(t *testing.T) {
	k1, k2 := testKey('a'), testKey('b')
	cases := []struct {
		name  string
		opts  Options
		ho    HostOptions
		check func(t *testing.T, h *Host, c *config.Config)
	}{
		{"defaults", Options{}, HostOptions{}, func(t *testing.T, h *Host, c *config.Config) {
			checks := []struct {
				name      string
				got, want any
			}{
				{"node", c.Node, "h01"},
				{"socket", c.Socket, h.Socket},
				{"multicast.group", c.Multicast.Group, "239.77.1.2"},
				{"multicast.port", c.Multicast.Port, 41234},
				{"multicast.interface", c.Multicast.Interface, "lo"},
				{"multicast.ttl", c.Multicast.TTL, 1},
				{"announce.interval", c.Announce.Interval, 500 * time.Millisecond},
				{"peer.timeout", c.Peer.Timeout, 2 * time.Second},
				{"blkid.interval", c.Blkid.Interval, time.Hour},
				{"blkid.timeout", c.Blkid.Timeout, 5 * time.Second},
				{"mounts.interval", c.Mounts.Interval, time.Second},
				{"mounts.file", c.Mounts.File, h.MountsFile},
				{"log.level", c.Log.Level, "warn"},
				{"state_file", c.StateFile, ""},
				{"auth.keys", len(c.Auth.Keys), 0},
			}
			for _, ck := range checks {
				if ck.got != ck.want {
					t.Errorf("%s: got %v, want %v", ck.name, ck.got, ck.want)
				}
			}
			if want := []string{"cat", h.BlkidFile}; !slices.Equal(c.Blkid.Command, want) {
				t.Errorf("blkid.command: got %q, want %q", c.Blkid.Command, want)
			}
		}},
		{"state file in the host's directory", Options{StateFile: true}, HostOptions{}, func(t *testing.T, h *Host, c *config.Config) {
			if want := filepath.Join(h.Dir, "state.yaml"); c.StateFile != want {
				t.Errorf("state_file: got %q, want %q", c.StateFile, want)
			}
		}},
		{"host state file wins", Options{StateFile: true}, HostOptions{StateFile: "/tmp/elsewhere.yaml"}, func(t *testing.T, h *Host, c *config.Config) {
			if c.StateFile != "/tmp/elsewhere.yaml" {
				t.Errorf("state_file: got %q, want %q", c.StateFile, "/tmp/elsewhere.yaml")
			}
		}},
		{"keys of the bed then of the host", Options{Keys: []string{k1}}, HostOptions{Keys: []string{k2}}, func(t *testing.T, h *Host, c *config.Config) {
			if want := []string{k1, k2}; !slices.Equal(c.Auth.Keys, want) {
				t.Errorf("auth.keys: got %q, want %q", c.Auth.Keys, want)
			}
		}},
		{"blkid command replaced", Options{}, HostOptions{BlkidCommand: []string{"/bin/echo", "x"}}, func(t *testing.T, h *Host, c *config.Config) {
			if want := []string{"/bin/echo", "x"}; !slices.Equal(c.Blkid.Command, want) {
				t.Errorf("blkid.command: got %q, want %q", c.Blkid.Command, want)
			}
		}},
		{"host Configure after bed Configure",
			Options{Configure: func(i int, c *config.Config) { c.Log.Level = "info"; c.Node = "bed" }},
			HostOptions{Configure: func(c *config.Config) { c.Node = "host" }},
			func(t *testing.T, h *Host, c *config.Config) {
				if c.Log.Level != "info" || c.Node != "host" {
					t.Errorf("log.level, node: got %q, %q, want %q, %q", c.Log.Level, c.Node, "info", "host")
				}
			}},
		{"host YAML over bed YAML over Configure",
			Options{Configure: func(i int, c *config.Config) { c.Log.Level = "info" }, YAML: "log:\n  level: debug\nnode: fromyaml\n"},
			HostOptions{YAML: "node: hostyaml\n"},
			func(t *testing.T, h *Host, c *config.Config) {
				if c.Log.Level != "debug" || c.Node != "hostyaml" {
					t.Errorf("log.level, node: got %q, %q, want %q, %q", c.Log.Level, c.Node, "debug", "hostyaml")
				}
				if c.Multicast.Port != 41234 {
					t.Errorf("multicast.port: got %d, want the bed's 41234 kept by the merge", c.Multicast.Port)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, h := testHost(t, c.opts, c.ho)
			if err := b.writeConfig(h); err != nil {
				t.Fatalf("writeConfig: %v", err)
			}
			got, err := config.Load(h.ConfigFile)
			if err != nil {
				t.Fatalf("config.Load of the written file: %v", err)
			}
			c.check(t, h, got)
		})
	}
}

// writeConfig refuses a configuration the daemon would refuse, and one
// that leaves the bed's interface, naming the host.
func TestWriteConfig_refuses(t *testing.T) {
	cases := []struct {
		name string
		opts Options
		ho   HostOptions
		want string
	}{
		{"bed Configure moves the interface", Options{Configure: func(i int, c *config.Config) { c.Multicast.Interface = "eth0" }}, HostOptions{},
			`h01: Configure set multicast.interface "eth0", want "lo"`},
		{"host Configure moves the interface", Options{}, HostOptions{Configure: func(c *config.Config) { c.Multicast.Interface = "eth0" }},
			`h01: Configure set multicast.interface "eth0", want "lo"`},
		{"bed YAML moves the interface", Options{YAML: "multicast:\n  interface: eth1\n"}, HostOptions{},
			`h01: YAML set multicast.interface "eth1", want "lo"`},
		{"host YAML moves the interface", Options{}, HostOptions{YAML: "multicast:\n  interface: eth1\n"},
			`h01: YAML set multicast.interface "eth1", want "lo"`},
		{"invalid value", Options{Configure: func(i int, c *config.Config) { c.Multicast.Port = 0 }}, HostOptions{},
			"h01: configuration: "},
		{"bad key", Options{Keys: []string{"not base64!"}}, HostOptions{}, "h01: configuration: "},
		{"YAML not a mapping", Options{YAML: "- a\n- b\n"}, HostOptions{}, `h01: configuration YAML "- a\n- b\n"`},
		{"YAML the daemon refuses", Options{}, HostOptions{YAML: "no_such_key: 1\n"}, "h01: configuration with the YAML merged: "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, h := testHost(t, c.opts, c.ho)
			err := b.writeConfig(h)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("writeConfig: got %v, want an error holding %q", err, c.want)
			}
		})
	}
}
