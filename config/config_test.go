package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// wants returns the text after "# want: " on each comment line of a testdata file.
func wants(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ws []string
	for line := range strings.Lines(string(data)) {
		if w, ok := strings.CutPrefix(line, "# want: "); ok {
			ws = append(ws, strings.TrimRight(w, "\n"))
		}
	}
	if len(ws) == 0 {
		t.Fatalf("%s: no '# want: ' line", path)
	}
	return ws
}

// flatten maps each dotted key path of c to its value as text: durations as
// Go duration strings, lists as fmt prints them.
func flatten(c *Config) map[string]string {
	m := map[string]string{}
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		if v.Kind() == reflect.Struct {
			for i := range v.NumField() {
				key := v.Type().Field(i).Tag.Get("yaml")
				if path != "" {
					key = path + "." + key
				}
				walk(v.Field(i), key)
			}
			return
		}
		m[path] = fmt.Sprint(v.Interface())
	}
	walk(reflect.ValueOf(c).Elem(), "")
	return m
}

func testdata(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/%s/*.yaml: %v", dir, err)
	}
	// Copies only the owner may read: a checkout's 0644 would refuse the
	// inline keys some of them hold (TestLoad_inlineKeysReadable).
	tmp := filepath.Join(t.TempDir(), "testdata", dir)
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		files[i] = filepath.Join(tmp, filepath.Base(f))
		if err := os.WriteFile(files[i], data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

func TestLoad_valid(t *testing.T) {
	t.Setenv("HOME", "/home/tester") // for tilde-socket.yaml and tilde-state-file.yaml
	for _, path := range testdata(t, "valid") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			c, err := Load(path)
			if err != nil {
				t.Fatalf("Load: got %v, want no error", err)
			}
			got := flatten(c)
			for _, w := range wants(t, path) {
				key, want, ok := strings.Cut(w, "=")
				if !ok {
					t.Fatalf("want line %q is not key=value", w)
				}
				if got[key] != want {
					t.Errorf("%s: got %q, want %q", key, got[key], want)
				}
			}
		})
	}
}

func TestLoad_invalid(t *testing.T) {
	for _, path := range testdata(t, "invalid") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			// The work is bounded by the file, not by what its anchors
			// and merge keys expand to (BenchmarkLoad_invalid times it).
			if visits, nodes := walkVisits(t, path); visits > maxVisits+nodes {
				t.Errorf("the check visits %d values of a %d-node document, want at most %d + %d", visits, nodes, maxVisits, nodes)
			}
			c, err := Load(path)
			if err == nil {
				t.Fatalf("Load: got %+v and no error, want an error", c)
			}
			msg := err.Error()
			for line := range strings.Lines(msg) {
				if prefix := "config: " + path + ": "; !strings.HasPrefix(line, prefix) {
					t.Errorf("error line %q: want prefix %q", line, prefix)
				}
			}
			for _, w := range wants(t, path) {
				if !strings.Contains(msg, w) {
					t.Errorf("got error\n%s\nwant it to contain %q", msg, w)
				}
			}
			if e := (*Error)(nil); !errors.As(err, &e) || e.File != path {
				t.Errorf("got %#v, want an *Error with File %q", err, path)
			}
		})
	}
}

func TestLoad_multipleErrorsInLineOrder(t *testing.T) {
	_, err := Load(filepath.Join("testdata", "invalid", "multiple-errors.yaml"))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want an *Error", err)
	}
	var keys []string
	for _, p := range e.Problems {
		keys = append(keys, p.Key)
	}
	want := []string{"multicast.grup", "multicast.port", "announce.interval", "log.level", "log.format"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("got keys %q, want %q", keys, want)
	}
}

func TestLoad_emptyPathIsDefault(t *testing.T) {
	c, err := Load("")
	if err != nil {
		t.Fatalf("got %v, want no error", err)
	}
	if want := Default(); !reflect.DeepEqual(c, want) {
		t.Errorf("got %+v, want %+v", c, want)
	}
}

func TestLoad_missingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := Load(path)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("got %v, want a not-exist error naming %s", err, path)
	}
}

func TestLoad_size(t *testing.T) {
	dir := t.TempDir()
	comment := "#" + strings.Repeat("x", 1022) + "\n" // 1 KiB
	for _, tc := range []struct {
		name    string
		size    int
		wantErr bool
	}{
		{"at the limit", MaxFileSize, false},
		{"one byte over", MaxFileSize + 1, true},
		{"far over", 3 * MaxFileSize, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := strings.Repeat(comment, tc.size/len(comment)+1)[:tc.size-1] + "\n"
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".yaml")
			if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if got := err != nil; got != tc.wantErr {
				t.Fatalf("got error %v, want error: %v", err, tc.wantErr)
			}
			if tc.wantErr && !strings.Contains(err.Error(), "larger than the 1 MiB limit") {
				t.Errorf("got %v, want it to mention the 1 MiB limit", err)
			}
		})
	}
}

func TestParse_emptyIsDefault(t *testing.T) {
	for _, in := range []string{"", "\n", "# nothing\n", "---\n", "~\n", "{}\n"} {
		c, err := Parse([]byte(in))
		if err != nil {
			t.Errorf("Parse(%q): got %v, want no error", in, err)
			continue
		}
		if want := Default(); !reflect.DeepEqual(c, want) {
			t.Errorf("Parse(%q): got %+v, want %+v", in, c, want)
		}
	}
}

func TestParse_errorFormat(t *testing.T) {
	_, err := Parse([]byte("multicast:\n  grup: 1\n"))
	want := `config: line 2: unknown key "multicast.grup" (known: group, port, interface, ttl, receive_buffer)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	var ke *KeyError
	if !errors.As(err, &ke) || ke.Key != "multicast.grup" || ke.Line != 2 {
		t.Errorf("got %#v, want a *KeyError for multicast.grup on line 2", ke)
	}
}

func TestParse_tildeNeedsHome(t *testing.T) {
	t.Setenv("HOME", "")
	for in, want := range map[string]string{
		"socket: ~/s\n":              `line 1: socket "~/s": cannot expand ~/`,
		"node: a\nstate_file: ~/x\n": `line 2: state_file "~/x": cannot expand ~/`,
	} {
		_, err := Parse([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q): got %v, want an error containing %q", in, err, want)
		}
	}
}

func TestDefault(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: got %v, want no error", err)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		home = os.TempDir()
	}
	host, err := os.Hostname()
	if err != nil {
		host = "localhost"
	}
	want := map[string]string{
		"node": host, "socket": filepath.Join(home, ".diskd-socket"),
		"multicast.group": "230.1.2.3", "multicast.port": "32003", "multicast.interface": "", "multicast.ttl": "1", "multicast.receive_buffer": "4194304",
		"announce.interval": "30s",
		"blkid.command":     "[blkid -c /dev/null -o export -d]", "blkid.interval": "30s", "blkid.timeout": "15s",
		"peer.timeout": "1m30s", "peer.forget_after": "168h0m0s", "state_file": filepath.Join(home, ".diskd-state.yaml"),
		"mounts.interval": "10s", "mounts.file": "/proc/self/mountinfo",
		"auth.keys": "[]", "auth.key_files": "[]", "legacy.accept": "false", "legacy.announce": "false", "socket_group": "", "socket_mode": "0600",
		"log.level": "info", "log.format": "text",
		"limits.max_disks": "200000", "limits.max_peers": "10000", "limits.max_bytes": "268435456",
		"http.listen":    "",
		"identity.sysfs": "/sys", "identity.udev_data": "/run/udev/data", "hotplug.enabled": "true", "hotplug.debounce": "100ms",
		"repair.startup_delay": "3s", "repair.unit": "2ms",
		"mount.policy": "<nil>", "mount.timeout": "20s", "mount.wait": "30s", "mount.command": "[mount]", "mount.unmount_command": "[umount]",
		"cluster.enabled": "false", "cluster.bind": "0.0.0.0:7947", "cluster.advertise": "", "cluster.join": "[]",
		"cluster.profile": "lan", "cluster.label": "",
	}
	if got := flatten(c); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestDefault_withoutHome(t *testing.T) {
	t.Setenv("HOME", "")
	c := Default()
	if got, want := c.Socket, filepath.Join(os.TempDir(), ".diskd-socket"); got != want {
		t.Errorf("socket: got %q, want %q", got, want)
	}
	if got, want := c.StateFile, filepath.Join(os.TempDir(), ".diskd-state.yaml"); got != want {
		t.Errorf("state_file: got %q, want %q", got, want)
	}
}

func TestFast(t *testing.T) {
	c := Fast()
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: got %v, want no error", err)
	}
	got := flatten(c)
	for key, want := range map[string]string{
		"announce.interval": "1s", "blkid.interval": "1s", "blkid.timeout": "5s",
		"multicast.interface": "lo", "multicast.ttl": "1", "multicast.port": "32003",
		"peer.timeout": "3s", "mounts.interval": "1s",
	} {
		if got[key] != want {
			t.Errorf("%s: got %q, want %q", key, got[key], want)
		}
	}
}

func TestYAML_golden(t *testing.T) {
	c := Fast()
	c.Node, c.Socket, c.StateFile = "alpha", "/run/diskd.sock", "/var/lib/diskd/state.yaml"
	got, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	want := `node: alpha
socket: /run/diskd.sock
multicast:
  group: 230.1.2.3
  port: 32003
  interface: lo
  ttl: 1
  receive_buffer: 4194304
announce:
  interval: 1s
blkid:
  command: [blkid, -c, /dev/null, -o, export, -d]
  interval: 1s
  timeout: 5s
peer:
  timeout: 3s
  forget_after: 168h0m0s
state_file: /var/lib/diskd/state.yaml
mounts:
  interval: 1s
  file: /proc/self/mountinfo
auth:
  keys: []
  key_files: []
legacy:
  accept: false
  announce: false
log:
  level: info
  format: text
limits:
  max_disks: 200000
  max_peers: 10000
  max_bytes: 268435456
socket_group: ""
socket_mode: "0600"
http:
  listen: ""
identity:
  sysfs: /sys
  udev_data: /run/udev/data
hotplug:
  enabled: true
  debounce: 100ms
repair:
  startup_delay: 250ms
  unit: 2ms
mount:
  policy: null
  timeout: 20s
  wait: 30s
  command: [mount]
  unmount_command: [umount]
cluster:
  enabled: false
  bind: 0.0.0.0:7947
  advertise: ""
  join: []
  profile: lan
  label: ""
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestYAML_roundTrip(t *testing.T) {
	t.Setenv("HOME", "/home/tester")
	odd := Default()
	odd.Node = "true"
	odd.Socket = "/tmp/with space/# not a comment: {x}"
	odd.Multicast.Interface = ""
	odd.Blkid.Command = []string{"sh", "-c", "echo 'a, b' [c] \"d\" \n\t", "null", "~", "0x10", ""}
	odd.Blkid.Timeout = 1500 * time.Millisecond
	odd.Peer.Timeout = 61*time.Second + 500*time.Millisecond
	odd.StateFile = "" // persistence disabled
	odd.Mounts.File = "/tmp/with space/# mountinfo: {x}"
	odd.Mounts.Interval = 250 * time.Millisecond
	odd.Auth.Keys = []string{testKey, strings.TrimRight(testKey, "=")}
	odd.Auth.KeyFiles = []string{"/etc/diskd/key", "/tmp/with space/# key: {x}"}
	odd.Legacy = Legacy{Accept: false, Announce: false}
	configs := map[string]*Config{"Default": Default(), "Fast": Fast(), "odd": odd}
	for _, path := range testdata(t, "valid") {
		c, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		configs[path] = c
	}
	for name, c := range configs {
		t.Run(name, func(t *testing.T) {
			if err := c.Validate(); err != nil {
				t.Fatalf("Validate: got %v, want no error", err)
			}
			b, err := c.YAML()
			if err != nil {
				t.Fatal(err)
			}
			back, err := Parse(b)
			if err != nil {
				t.Fatalf("Parse(YAML()): got %v, want no error; YAML:\n%s", err, b)
			}
			if !reflect.DeepEqual(back, c) {
				t.Errorf("got %+v, want %+v; YAML:\n%s", back, c, b)
			}
		})
	}
}
