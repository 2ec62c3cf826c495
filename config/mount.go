package config

import (
	"time"

	"github.com/diskd-actors/diskd-actors/actors/mountpolicy"
)

// Mount configures remote mount and unmount (docs/operations.md, "Remote
// mount"). Without Policy this host refuses every request; requests need
// auth keys on both sides whatever the policy says.
type Mount struct {
	// Policy: who may have which local disks mounted, with which options,
	// below which directory. nil: refuse everything.
	Policy *mountpolicy.Policy `yaml:"policy"`
	// Timeout: a mount or umount running longer is killed with its
	// process group. 100ms..5m.
	Timeout time.Duration `yaml:"timeout"`
	// Wait: how long the asking daemon waits for the holder's answer
	// before it says "no answer" (exit 4). 1s..10m; more than Timeout.
	Wait time.Duration `yaml:"wait"`
	// Command and UnmountCommand are the programs run, as argv (never a
	// shell); the options, device and mount point are appended.
	Command        []string `yaml:"command"`
	UnmountCommand []string `yaml:"unmount_command"`
}

// Defaults of the mount section.
const (
	DefaultMountTimeout = 20 * time.Second
	DefaultMountWait    = 30 * time.Second
)

func defaultMount() Mount {
	return Mount{Timeout: DefaultMountTimeout, Wait: DefaultMountWait,
		Command: []string{"mount"}, UnmountCommand: []string{"umount"}}
}

// mountProblems checks the mount section.
func (c *Config) mountProblems(add func(key string, value any, format string, args ...any)) {
	m := c.Mount
	if m.Timeout < 100*time.Millisecond || m.Timeout > 5*time.Minute {
		add("mount.timeout", m.Timeout, "must be between 100ms and 5m")
	}
	if m.Wait < time.Second || m.Wait > 10*time.Minute || m.Wait <= m.Timeout {
		add("mount.wait", m.Wait, "must be between 1s and 10m and longer than mount.timeout")
	}
	if len(m.Command) == 0 || m.Command[0] == "" {
		add("mount.command", m.Command, "must name a program")
	}
	if len(m.UnmountCommand) == 0 || m.UnmountCommand[0] == "" {
		add("mount.unmount_command", m.UnmountCommand, "must name a program")
	}
	if m.Policy != nil {
		if err := m.Policy.Check(); err != nil {
			add("mount.policy", "", "%v", err)
		}
	}
}

// normalize makes a rule's absent lists empty, as they read back from the
// YAML this package writes.
func (m *Mount) normalize() {
	if m.Policy == nil {
		return
	}
	for i := range m.Policy.Rules {
		r := &m.Policy.Rules[i]
		for _, l := range []*[]string{&r.Allow, &r.From, &r.Options} {
			if *l == nil {
				*l = []string{}
			}
		}
	}
}
