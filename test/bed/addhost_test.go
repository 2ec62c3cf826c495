package bed

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
)

// mergeYAML merges mappings key by key and replaces anything else.
func TestMergeYAML(t *testing.T) {
	base := []byte("node: a\nauth:\n  keys: [x]\n  key_files: []\nlog:\n  level: warn\n  format: text\n")
	got, err := mergeYAML(base, "log:\n  level: debug\nauth:\n  keys: [y, z]\nlimits:\n  max_disks: 7\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"node: a", "level: debug", "format: text", "keys: [y, z]", "max_disks: 7"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("merged:\n%s\nwant it to hold %q", got, want)
		}
	}
	if strings.Contains(string(got), "[x]") || strings.Contains(string(got), "warn") {
		t.Errorf("merged:\n%s\nwant the replaced values gone", got)
	}
	if same, err := mergeYAML(base, ""); err != nil || string(same) != string(base) {
		t.Errorf("merging nothing: %q %v, want the base unchanged", same, err)
	}
	for _, bad := range []string{"[1, 2]", "a: [unclosed"} {
		if _, err := mergeYAML(base, bad); err == nil {
			t.Errorf("merging %q: no error, want one", bad)
		}
	}
}

// The YAML must not move a daemon off the bed's interface either, and must
// be a configuration the daemon accepts.
func TestBed_YAMLChecked(t *testing.T) {
	b := &Bed{Dir: t.TempDir(), Group: "239.255.1.1", Port: 9, opts: Options{}}
	b.opts.defaults()
	for yaml, want := range map[string]string{
		"multicast:\n  interface: eth0\n": "multicast.interface",
		"no_such_key: 1\n":                "no_such_key",
	} {
		h := &Host{Name: "x", Dir: b.Dir, Iface: "lo", ConfigFile: b.Dir + "/c.yaml", Socket: b.Dir + "/s",
			BlkidFile: b.Dir + "/b", MountsFile: b.Dir + "/m", bed: b, hopts: HostOptions{YAML: yaml}}
		if err := b.writeConfig(h); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("writeConfig with YAML %q: %v, want a refusal naming %s", yaml, err, want)
		}
	}
}

// Hosts added one by one, each with options of its own: a name, a blkid
// fixture, extra YAML, keys; events, the client, a signal and the exit.
func TestBed_AddHost(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping a test that runs daemons")
	}
	key := "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	b := New(t, Options{Hosts: NoHosts, Announce: 250 * time.Millisecond, PeerTimeout: 2 * time.Second, Keys: []string{key}})
	if len(b.Hosts) != 0 {
		t.Fatalf("NoHosts: %d hosts, want 0", len(b.Hosts))
	}
	a, err := b.AddHost(HostOptions{Name: "alpha", BlkidOutput: "DEVNAME=/dev/x1\nLABEL=odd\\ label\nUUID=11111111-2222-4333-8444-555555555555\nTYPE=ext4\n\n",
		YAML: "log:\n  level: info\n"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(a.ConfigFile)
	if err != nil || c.Log.Level != "info" || len(c.Auth.Keys) != 1 || c.Node != "alpha" {
		t.Fatalf("alpha's configuration: %+v %v; want log.level info, one key, node alpha", c, err)
	}
	events, err := a.Events()
	if err != nil {
		t.Fatal(err)
	}
	defer events.Close()
	beta, err := b.AddHost(HostOptions{Name: "beta", Disks: []Disk{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := events.WaitFor(10*time.Second, "alpha hears beta", func(ev messages.Event) bool {
		return ev.Kind == messages.EventPeerUp && ev.Node == "beta"
	}); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, 10*time.Second, "beta lists alpha's disk", func() (bool, error) {
		out, _, code, err := beta.Client("where", "odd label")
		return code == 0 && strings.Contains(out, "alpha"), err
	})
	if err := beta.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if _, err := events.WaitFor(10*time.Second, "alpha sees beta leave", func(ev messages.Event) bool {
		return ev.Kind == messages.EventPeerLeft && ev.Node == "beta"
	}); err != nil {
		t.Fatal(err)
	}
	if err := beta.Wait(10 * time.Second); err != nil || beta.ExitCode() != 0 {
		t.Errorf("beta after SIGTERM: %v, exit %d; want exit 0", err, beta.ExitCode())
	}
	if got := events.About("beta"); len(got) < 2 {
		t.Errorf("events about beta: %+v, want at least peer_up and peer_left", got)
	}
}

// parseEvent reads each form of a text debug line.
func TestParseEvent(t *testing.T) {
	cases := []struct {
		line               string
		kind, node, detail string
		label, uuid        string
		disk, wantErr      bool
	}{
		{line: "12:00:01.250 peer_down lc: silent for 2.001s", kind: "peer_down", node: "lc", detail: "silent for 2.001s"},
		{line: "12:00:01.250 peer_up lc", kind: "peer_up", node: "lc"},
		{line: "12:00:01.250 drop: malformed from 127.0.0.1:4000", kind: "drop", detail: "malformed from 127.0.0.1:4000"},
		{line: `12:00:01.250 disk_added n2 "new disk" (1111-2222)`, kind: "disk_added", node: "n2", disk: true, label: "new disk", uuid: "1111-2222"},
		{line: "12:00:01.250 disk_mounted n2 data (1111-2222): /mnt/x", kind: "disk_mounted", node: "n2", disk: true, label: "data", uuid: "1111-2222", detail: "/mnt/x"},
		{line: "12:00:01.250 disk_added 127.0.0.1 - (-)", kind: "disk_added", node: "127.0.0.1", disk: true},
		{line: ".ok 3 events", wantErr: true},
		{line: "streaming events; send any line to stop", wantErr: true},
	}
	for _, c := range cases {
		ev, err := parseEvent(c.line)
		if c.wantErr {
			if err == nil {
				t.Errorf("%q: %+v, want an error", c.line, ev)
			}
			continue
		}
		if err != nil || ev.Kind != c.kind || ev.Node != c.node || ev.Detail != c.detail || (ev.Disk != nil) != c.disk ||
			ev.Time.Hour() != 12 || ev.Time.Nanosecond() != 250e6 {
			t.Errorf("%q: %+v %v, want kind %q node %q detail %q disk %v at 12:00:01.250", c.line, ev, err, c.kind, c.node, c.detail, c.disk)
			continue
		}
		if c.disk && (ev.Disk.Label != c.label || ev.Disk.UUID != c.uuid) {
			t.Errorf("%q: disk %+v, want label %q uuid %q", c.line, ev.Disk, c.label, c.uuid)
		}
	}
}
