package config

import (
	"strings"
	"testing"
	"time"
)

func TestValidate_identityAndHotplug(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"defaults", func(*Config) {}, ""},
		{"no udev database", func(c *Config) { c.Identity.UdevData = "" }, ""},
		{"relative sysfs", func(c *Config) { c.Identity.Sysfs = "sys" }, "identity.sysfs"},
		{"relative udev data", func(c *Config) { c.Identity.UdevData = "run/udev" }, "identity.udev_data"},
		{"debounce too short", func(c *Config) { c.Hotplug.Debounce = time.Millisecond }, "hotplug.debounce"},
		{"debounce too long", func(c *Config) { c.Hotplug.Debounce = time.Minute }, "hotplug.debounce"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Fast()
			tc.edit(c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %v, want an error naming %s", err, tc.want)
			}
		})
	}
}

func TestParse_identity(t *testing.T) {
	c, err := Parse([]byte("identity: {sysfs: /host/sys, udev_data: \"\"}\nhotplug: {enabled: false, debounce: 250ms}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Identity.Sysfs != "/host/sys" || c.Identity.UdevData != "" || c.Hotplug.Enabled || c.Hotplug.Debounce != 250*time.Millisecond {
		t.Errorf("got %+v %+v", c.Identity, c.Hotplug)
	}
}
