package config

import (
	"strings"
	"testing"
)

func TestCluster_DefaultsKeepMulticastAlone(t *testing.T) {
	c := Default()
	if c.Cluster.Enabled || c.Cluster.Bind != "0.0.0.0:7947" || c.Cluster.Profile != "lan" ||
		c.Cluster.Advertise != "" || len(c.Cluster.Join) != 0 || c.Cluster.Label != "" {
		t.Errorf("defaults %+v", c.Cluster)
	}
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
}

func TestParse_ClusterSection(t *testing.T) {
	c, err := Parse([]byte(`cluster:
  enabled: true
  bind: 198.18.0.2:7947
  advertise: 203.0.113.7:17947
  join: [198.18.1.2:7947, seed.example:7947]
  profile: wan
  label: home
`))
	if err != nil {
		t.Fatal(err)
	}
	cl := c.Cluster
	if !cl.Enabled || cl.Bind != "198.18.0.2:7947" || cl.Advertise != "203.0.113.7:17947" || len(cl.Join) != 2 ||
		cl.Join[1] != "seed.example:7947" || cl.Profile != "wan" || cl.Label != "home" {
		t.Errorf("%+v", cl)
	}
	if _, err := Parse([]byte("cluster:\n  port: 7947\n")); err == nil || !strings.Contains(err.Error(), "cluster.port") {
		t.Errorf("an unknown key under cluster: %v, want it named", err)
	}
}

func TestValidate_Cluster(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(*Cluster)
		want string // "" for valid
	}{
		{"ipv6 bind", func(c *Cluster) { c.Bind = "[::1]:7947" }, ""},
		{"bind name", func(c *Cluster) { c.Bind = "localhost:7947" }, "cluster.bind"},
		{"bind no port", func(c *Cluster) { c.Bind = "127.0.0.1" }, "cluster.bind"},
		{"bind port 0", func(c *Cluster) { c.Bind = "127.0.0.1:0" }, "cluster.bind"},
		{"advertise any", func(c *Cluster) { c.Advertise = "0.0.0.0:7947" }, "cluster.advertise"},
		{"advertise port", func(c *Cluster) { c.Advertise = "192.0.2.1:70000" }, "cluster.advertise"},
		{"join no port", func(c *Cluster) { c.Join = []string{"seed"} }, "cluster.join[0]"},
		{"join second", func(c *Cluster) { c.Join = []string{"seed:1", ":2"} }, "cluster.join[1]"},
		{"join many", func(c *Cluster) { c.Join = make([]string, MaxClusterJoin+1) }, "cluster.join"},
		{"profile", func(c *Cluster) { c.Profile = "moon" }, "cluster.profile"},
		{"label chars", func(c *Cluster) { c.Label = "a b" }, "cluster.label"},
		{"label long", func(c *Cluster) { c.Label = strings.Repeat("a", MaxClusterLabel+1) }, "cluster.label"},
	} {
		c := Default()
		tc.set(&c.Cluster)
		err := c.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want valid", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want an error naming %s", tc.name, err, tc.want)
		}
	}
}
