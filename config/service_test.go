package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSocketMode(t *testing.T) {
	for mode, want := range map[string]string{
		"0600": "", "0660": "", "600": "", "0640": "", "": "",
		"0666": "others may not reach", "0644": "others may not reach", "0400": "owner needs read and write",
		"4660": "only permission bits", "rw": "octal mode", "0900": "octal mode", "06600": "octal mode",
	} {
		c := Default()
		c.SocketMode = mode
		err := c.Validate()
		switch {
		case want == "" && err != nil:
			t.Errorf("socket_mode %q: %v, want it accepted", mode, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), "socket_mode") || !strings.Contains(err.Error(), want)):
			t.Errorf("socket_mode %q: %v, want an error naming socket_mode with %q", mode, err, want)
		}
	}
	c := Default()
	c.SocketMode = "0660"
	if got := c.SocketPerm(); got != 0o660 {
		t.Errorf("SocketPerm: %o, want 660", got)
	}
}

func TestSocketGroup(t *testing.T) {
	c := Default()
	if gid, err := c.SocketGID(); gid != -1 || err != nil {
		t.Errorf("no socket_group: %d %v, want -1 and no error", gid, err)
	}
	c.SocketGroup = "root" // present on every Linux host
	if gid, err := c.SocketGID(); gid != 0 || err != nil {
		t.Errorf("socket_group root: %d %v, want 0", gid, err)
	}
	c.SocketGroup = "0"
	if gid, err := c.SocketGID(); gid != 0 || err != nil {
		t.Errorf("socket_group 0: %d %v, want 0", gid, err)
	}
	c.SocketGroup = "no-such-group-diskd-test"
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), `socket_group "no-such-group-diskd-test": no such group`) {
		t.Errorf("unknown group: %v, want an error naming socket_group and the group", err)
	}
}

func TestRedacted(t *testing.T) {
	c := Default()
	c.Auth.Keys = []string{testKey, testKey}
	c.Auth.KeyFiles = []string{"/etc/diskd/key"}
	y, err := c.Redacted().YAML()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(y), testKey) || strings.Contains(string(y), strings.TrimRight(testKey, "=")[:8]) {
		t.Errorf("redacted YAML holds the key:\n%s", y)
	}
	for _, want := range []string{"<redacted: 2 keys>", "/etc/diskd/key"} {
		if !strings.Contains(string(y), want) {
			t.Errorf("redacted YAML:\n%s\nwant it to hold %q", y, want)
		}
	}
	if len(c.Auth.Keys) != 2 || c.Auth.Keys[0] != testKey {
		t.Errorf("Redacted changed the original: %v", c.Auth.Keys)
	}
	if y, _ := Default().Redacted().YAML(); !strings.Contains(string(y), "keys: []") {
		t.Errorf("no keys: want keys: [] in\n%s", y)
	}
}

func TestLoad_inlineKeysReadable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "diskd.yaml")
	if err := os.WriteFile(path, []byte("auth:\n  keys: ["+testKey+"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err != nil {
		t.Fatalf("mode 0600: %v, want it loaded", err)
	}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o644} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		if err == nil || !strings.Contains(err.Error(), "chmod 600 "+path) || !strings.Contains(err.Error(), path+": auth.keys") {
			t.Errorf("mode %04o: %v, want a refusal naming the file and chmod 600", mode, err)
		}
		if err != nil && strings.Contains(err.Error(), testKey) {
			t.Errorf("the refusal quotes the key: %v", err)
		}
	}
	// Without inline keys a readable file is fine: nothing secret in it.
	if err := os.WriteFile(path, []byte("auth:\n  key_files: [/etc/diskd/key]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err != nil {
		t.Errorf("key_files only, mode 0644: %v, want it loaded", err)
	}
}

func TestChanges(t *testing.T) {
	old := Default()
	nw := Default()
	if live, restart := Changes(old, nw); live != nil || restart != nil {
		t.Errorf("no change: %v %v", live, restart)
	}
	nw.Auth.Keys = []string{testKey}
	nw.Announce.Interval = 2 * time.Second
	nw.Log.Level = "debug"
	nw.Socket = "/tmp/other"
	nw.Multicast.Port = 4000
	nw.SocketMode = "0660"
	live, restart := Changes(old, nw)
	if want := []string{"announce.interval", "auth.keys", "log.level"}; !slices.Equal(live, want) {
		t.Errorf("live: %q, want %q", live, want)
	}
	if want := []string{"socket", "multicast.port", "socket_mode"}; !slices.Equal(restart, want) {
		t.Errorf("restart: %q, want %q", restart, want)
	}
}

func TestDefault_underSystemd(t *testing.T) {
	t.Setenv("RUNTIME_DIRECTORY", "/run/diskd-actors:/run/other")
	t.Setenv("STATE_DIRECTORY", "/var/lib/diskd-actors")
	c := Default()
	if c.Socket != ServiceSocket || c.StateFile != "/var/lib/diskd-actors/state.yaml" {
		t.Errorf("socket %q, state_file %q; want %q and /var/lib/diskd-actors/state.yaml", c.Socket, c.StateFile, ServiceSocket)
	}
	if c.EffectiveStateFile() != c.StateFile {
		t.Errorf("EffectiveStateFile %q, want %q", c.EffectiveStateFile(), c.StateFile)
	}
	t.Setenv("RUNTIME_DIRECTORY", "relative")
	if c := Default(); c.Socket == "relative/socket" {
		t.Errorf("a relative RUNTIME_DIRECTORY was used: %q", c.Socket)
	}
}
