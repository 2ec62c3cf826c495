package config

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// A file sets only what it names; every other key keeps its default.
func TestParse_fileOverridesOnlyWhatItNames(t *testing.T) {
	c, err := Parse([]byte("node: alpha\nmulticast:\n  port: 4000\nlog:\n  format: json\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := Default()
	for _, x := range []struct {
		name      string
		got, want any
	}{
		{"node", c.Node, "alpha"},
		{"multicast.port", c.Multicast.Port, 4000},
		{"log.format", c.Log.Format, "json"},
		{"multicast.group keeps its default", c.Multicast.Group, d.Multicast.Group},
		{"multicast.ttl keeps its default", c.Multicast.TTL, d.Multicast.TTL},
		{"log.level keeps its default", c.Log.Level, d.Log.Level},
		{"blkid.command keeps its default", strings.Join(c.Blkid.Command, " "), strings.Join(d.Blkid.Command, " ")},
		{"legacy.accept keeps its default", c.Legacy.Accept, false},
	} {
		t.Run(x.name, func(t *testing.T) {
			if x.got != x.want {
				t.Errorf("got %v, want %v", x.got, x.want)
			}
		})
	}
}

// peer.timeout follows a raised announce.interval when the file does not
// set it, and is checked as written when it does.
func TestParse_peerTimeoutFollowsAnnounceInterval(t *testing.T) {
	for _, c := range []struct {
		name    string
		in      string
		want    time.Duration
		wantErr string
	}{
		{"default interval keeps the default timeout", "node: a\n", DefaultPeerTimeout, ""},
		{"raised interval raises the timeout to three intervals", "announce:\n  interval: 60s\n", 180 * time.Second, ""},
		{"lowered interval keeps the default timeout", "announce:\n  interval: 5s\n", DefaultPeerTimeout, ""},
		{"an explicit timeout is kept", "announce:\n  interval: 60s\npeer:\n  timeout: 150s\n", 150 * time.Second, ""},
		{"an explicit timeout too short is an error on its line", "announce:\n  interval: 60s\npeer:\n  timeout: 90s\n", 0,
			`config: line 4: peer.timeout "1m30s": must be at least twice announce.interval (1m0s), or peers flap between alive and down`},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Parse([]byte(c.in))
			if c.wantErr != "" {
				if err == nil || err.Error() != c.wantErr {
					t.Errorf("got %v, want %v", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Peer.Timeout != c.want {
				t.Errorf("got %v, want %v", cfg.Peer.Timeout, c.want)
			}
		})
	}
}

func TestParse_socketTildeExpanded(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, c := range []struct {
		in, want string
	}{
		{"socket: ~/d.sock\n", filepath.Join(home, "d.sock")},
		{"socket: /run/d.sock\n", "/run/d.sock"},
		{"socket: /x/~/d.sock\n", "/x/~/d.sock"}, // only a leading ~/
	} {
		t.Run(c.in, func(t *testing.T) {
			cfg, err := Parse([]byte(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Socket != c.want {
				t.Errorf("got %v, want %v", cfg.Socket, c.want)
			}
		})
	}
}

// Problems found by validation after decoding carry the key path and the
// line of the key, so a user finds them in the file.
func TestParse_validationProblemsHaveKeyAndLine(t *testing.T) {
	for _, c := range []struct {
		name     string
		in       string
		wantKey  string
		wantLine int
	}{
		{"top-level key", "# c\nnode: \"a/b\"\n", "node", 2},
		{"nested key", "multicast:\n  group: 10.0.0.1\n", "multicast.group", 2},
		{"nested after others", "node: a\nmulticast:\n  ttl: 1\n  port: 0\n", "multicast.port", 4},
		{"duration", "blkid:\n  timeout: 11m\n", "blkid.timeout", 2},
		{"log level", "log:\n  level: verbose\n", "log.level", 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.in))
			var ke *KeyError
			if !errors.As(err, &ke) {
				t.Fatalf("got %v, want a *KeyError", err)
			}
			if ke.Key != c.wantKey || ke.Line != c.wantLine {
				t.Errorf("got %v line %v, want %v line %v (%v)", ke.Key, ke.Line, c.wantKey, c.wantLine, err)
			}
			if !strings.HasPrefix(ke.Msg, c.wantKey+" ") {
				t.Errorf("got message %q, want it to start with the key path", ke.Msg)
			}
		})
	}
}

// A key wrong in its type is reported once, not again by validation.
func TestParse_oneProblemPerKey(t *testing.T) {
	_, err := Parse([]byte("multicast:\n  port: many\n"))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want an *Error", err)
	}
	var keys []string
	for _, p := range e.Problems {
		keys = append(keys, p.Key)
	}
	if len(keys) != 1 || keys[0] != "multicast.port" {
		t.Errorf("got %q, want only multicast.port (%v)", keys, err)
	}
}

func TestError_format(t *testing.T) {
	e := &Error{File: "/etc/diskd.yaml", Problems: []*KeyError{
		{Key: "node", Line: 1, Msg: `node "": must not be empty`},
		{Key: "", Msg: "the file is larger than the 1 MiB limit (1048576 bytes)"},
	}}
	want := "config: /etc/diskd.yaml: line 1: node \"\": must not be empty\n" +
		"config: /etc/diskd.yaml: the file is larger than the 1 MiB limit (1048576 bytes)"
	if got := e.Error(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	var ke *KeyError
	if !errors.As(e, &ke) || ke.Key != "node" {
		t.Errorf("got %v, want errors.As to find the first KeyError", ke)
	}
}

func TestRelated(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"multicast.port", "multicast.port", true},
		{"multicast", "multicast.port", true},
		{"multicast.port", "multicast", true},
		{"blkid.command", "blkid.command[0]", true},
		{"multicast.port", "multicast.portx", false},
		{"multicast.po", "multicast.port", false},
		{"node", "socket", false},
	} {
		t.Run(c.a+"~"+c.b, func(t *testing.T) {
			if got := related(c.a, c.b); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// Validate lists problems of list elements with their index in the path.
func TestValidate_listIndexInKeyPath(t *testing.T) {
	c := Default()
	c.Blkid.Command = []string{"blkid", "ok", "bad\x00"}
	c.Auth.KeyFiles = []string{"/ok", "relative"}
	err := c.Validate()
	var keys []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		keys = append(keys, e.(*KeyError).Key)
	}
	for _, want := range []string{"blkid.command[2]", "auth.key_files[1]"} {
		if !slices.Contains(keys, want) {
			t.Errorf("got %q, want %v among them", keys, want)
		}
	}
}
