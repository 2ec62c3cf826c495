package cluster

import (
	"testing"
	"time"

	"github.com/hashicorp/memberlist"

	"github.com/diskd-actors/diskd-actors/config"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		e    Event
		want Change
	}{
		{Event{Join: true}, Alive},
		{Event{}, Alive}, // an update
		{Event{Leave: true, State: memberlist.StateDead}, Down},
		{Event{Leave: true, State: memberlist.StateAlive}, Down}, // what v0.7.0 passes: unset
		{Event{Leave: true, State: memberlist.StateLeft}, Left},
	} {
		if got := Classify(tc.e); got != tc.want {
			t.Errorf("%+v: %v, want %v", tc.e, got, tc.want)
		}
	}
}

func TestNewConfig(t *testing.T) {
	c := config.Cluster{Enabled: true, Bind: "127.0.0.1:7000", Profile: "local", Label: "home"}
	mc, err := NewConfig("n1", c)
	if err != nil {
		t.Fatal(err)
	}
	if mc.Name != "n1" || mc.BindAddr != "127.0.0.1" || mc.BindPort != 7000 || mc.AdvertiseAddr != "127.0.0.1" ||
		mc.AdvertisePort != 7000 || mc.Label != "home" || mc.ProbeInterval != memberlist.DefaultLocalConfig().ProbeInterval {
		t.Errorf("%+v", mc)
	}
	c.Bind, c.Advertise, c.Profile = "0.0.0.0:7947", "203.0.113.5:17947", "wan"
	if mc, err = NewConfig("n1", c); err != nil || mc.AdvertiseAddr != "203.0.113.5" || mc.AdvertisePort != 17947 ||
		mc.ProbeInterval != memberlist.DefaultWANConfig().ProbeInterval {
		t.Errorf("%+v %v", mc, err)
	}
	c.Advertise = ""
	if mc, err = NewConfig("n1", c); err != nil || mc.AdvertiseAddr != "" {
		t.Errorf("bind 0.0.0.0 without advertise: %q %v, want memberlist to pick", mc.AdvertiseAddr, err)
	}
	if _, err := NewConfig("n1", config.Cluster{Bind: "x", Profile: "lan"}); err == nil {
		t.Error("bad bind accepted")
	}
	if _, err := NewConfig("n1", config.Cluster{Bind: "127.0.0.1:1", Profile: "moon"}); err == nil {
		t.Error("bad profile accepted")
	}
}

func TestDownWithin(t *testing.T) {
	d := DownWithin(memberlist.DefaultLocalConfig(), 3)
	if d < 3*time.Second || d > 30*time.Second {
		t.Errorf("local profile, 3 nodes: %v", d)
	}
}
