package bed

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/diskd-actors/diskd-actors/config"
)

// writeConfig writes h's configuration file: the bed's settings, then
// Options.Configure, HostOptions.Configure and the YAML of both merged on
// top. The result must parse as the daemon parses it and keep the bed's
// interface.
func (b *Bed) writeConfig(h *Host) error {
	o, ho := b.opts, h.hopts
	c := config.Fast()
	c.Node = h.Name
	c.Socket = h.Socket
	c.Multicast.Group, c.Multicast.Port, c.Multicast.Interface, c.Multicast.TTL = b.Group, b.Port, h.Iface, 1
	c.Announce.Interval = o.Announce
	c.Peer.Timeout = o.PeerTimeout
	c.Blkid.Command = []string{"cat", h.BlkidFile}
	// The fake blkid's devices are no devices of this machine: their
	// identity comes from the host's own sysfs and udev trees (empty unless
	// a test writes fixtures there). The machine's device events would add
	// scans no test asked for: hotplug is on only where a test's Configure
	// turns it on.
	c.Identity.Sysfs, c.Identity.UdevData = filepath.Join(h.Dir, "sysfs"), filepath.Join(h.Dir, "udev")
	c.Hotplug.Enabled = false
	if err := os.MkdirAll(filepath.Join(c.Identity.Sysfs, "class", "block"), 0o755); err != nil {
		return err // an empty sysfs: no identity, and nothing to warn about
	}
	if len(ho.BlkidCommand) > 0 {
		c.Blkid.Command = slices.Clone(ho.BlkidCommand)
		c.Identity = config.Default().Identity // a real blkid's devices are this machine's
	}
	c.Blkid.Interval = o.BlkidInterval
	c.Blkid.Timeout = 5 * time.Second
	c.Mounts.Interval, c.Mounts.File = o.MountsInterval, h.MountsFile
	c.Log.Level = o.LogLevel
	c.StateFile = ""
	if o.StateFile {
		c.StateFile = filepath.Join(h.Dir, "state.yaml")
	}
	if ho.StateFile != "" {
		c.StateFile = ho.StateFile
	}
	if keys := append(slices.Clone(o.Keys), ho.Keys...); len(keys) > 0 {
		c.Auth.Keys = keys
	}
	if o.Configure != nil {
		o.Configure(h.Index, c)
	}
	if ho.Configure != nil {
		ho.Configure(c)
	}
	if c.Multicast.Interface != h.Iface {
		return fmt.Errorf("%s: Configure set multicast.interface %q, want %q: the bed keeps traffic on its own interface",
			h.Name, c.Multicast.Interface, h.Iface)
	}
	if err := c.Validate(); err != nil {
		return fmt.Errorf("%s: configuration: %w", h.Name, err)
	}
	y, err := c.YAML()
	if err != nil {
		return err
	}
	for _, extra := range []string{o.YAML, ho.YAML} {
		if y, err = mergeYAML(y, extra); err != nil {
			return fmt.Errorf("%s: configuration YAML %q: %w", h.Name, extra, err)
		}
	}
	if o.YAML != "" || ho.YAML != "" {
		// What the daemon will read: parsed as it parses it.
		merged, err := config.Parse(y)
		if err != nil {
			return fmt.Errorf("%s: configuration with the YAML merged: %w", h.Name, err)
		}
		if merged.Multicast.Interface != h.Iface {
			return fmt.Errorf("%s: YAML set multicast.interface %q, want %q: the bed keeps traffic on its own interface",
				h.Name, merged.Multicast.Interface, h.Iface)
		}
	}
	return os.WriteFile(h.ConfigFile, y, 0o600)
}

// mergeYAML merges the YAML mapping extra over the document base: a
// mapping is merged key by key, any other value replaces the one in base.
func mergeYAML(base []byte, extra string) ([]byte, error) {
	var e yaml.Node
	if err := yaml.Unmarshal([]byte(extra), &e); err != nil {
		return nil, err
	}
	if len(e.Content) == 0 {
		return base, nil // empty
	}
	if e.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("want a mapping of configuration keys")
	}
	var d yaml.Node
	if err := yaml.Unmarshal(base, &d); err != nil {
		return nil, err
	}
	if len(d.Content) == 0 || d.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("the base configuration is not a mapping")
	}
	mergeMapping(d.Content[0], e.Content[0])
	return yaml.Marshal(&d)
}

func mergeMapping(dst, src *yaml.Node) {
	for i := 0; i+1 < len(src.Content); i += 2 {
		k, v := src.Content[i], src.Content[i+1]
		j := 0
		for ; j+1 < len(dst.Content); j += 2 {
			if dst.Content[j].Value == k.Value {
				break
			}
		}
		switch {
		case j+1 >= len(dst.Content):
			dst.Content = append(dst.Content, k, v)
		case dst.Content[j+1].Kind == yaml.MappingNode && v.Kind == yaml.MappingNode:
			mergeMapping(dst.Content[j+1], v)
		default:
			dst.Content[j+1] = v
		}
	}
}
