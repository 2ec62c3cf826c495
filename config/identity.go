package config

import (
	"path/filepath"
	"strings"
	"time"
)

// identityProblems checks identity.* and hotplug.*.
func (c *Config) identityProblems(add func(key string, v any, format string, a ...any)) {
	if !filepath.IsAbs(c.Identity.Sysfs) || strings.IndexByte(c.Identity.Sysfs, 0) >= 0 {
		add("identity.sysfs", c.Identity.Sysfs, "must be an absolute path")
	}
	if u := c.Identity.UdevData; u != "" && (!filepath.IsAbs(u) || strings.IndexByte(u, 0) >= 0) {
		add("identity.udev_data", u, "must be an absolute path, or empty to not read udev's database")
	}
	if d := c.Hotplug.Debounce; d < 10*time.Millisecond || d > 10*time.Second {
		add("hotplug.debounce", d, "must be between 10ms and 10s")
	}
}
