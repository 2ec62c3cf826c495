package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

// isolate gives run a home of its own and no $DISKD_SOCKET, so the
// user's environment cannot leak into a case.
func isolate(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("DISKD_SOCKET", "")
	return home
}

func TestRun_flagsAndExitCodes(t *testing.T) {
	isolate(t)
	for _, c := range []struct {
		name      string
		args      []string
		code      int
		outPrefix string
		errHas    string
	}{
		{"--help", []string{"--help"}, exitOK, "diskd-actors: where is that disk?", ""},
		{"-h", []string{"-h"}, exitOK, "diskd-actors: where is that disk?", ""},
		{"--version", []string{"--version"}, exitOK, "diskd-actors " + version + "\n", ""},
		{"version command", []string{"version"}, exitOK, "diskd-actors " + version + "\n", ""},
		{"help wins over later flags", []string{"--help", "--bogus"}, exitOK, "diskd-actors:", ""},
		{"unknown flag prints usage", []string{"--bogus"}, exitError, "", "diskd-actors: unknown flag --bogus\ndiskd-actors: where is that disk?"},
		{"single dash unknown flag", []string{"-x", "list"}, exitError, "", "unknown flag -x"},
		{"--socket without a value", []string{"--socket"}, exitError, "", "diskd-actors: flag --socket needs a value\n"},
		{"--config without a value", []string{"--config"}, exitError, "", "diskd-actors: flag --config needs a value\n"},
		{"bad config file", []string{"--config", "/nonexistent/diskd.yaml", "list"}, exitError, "", "no such file or directory"},
		{"bad config file for the prompt", []string{"--config=/nonexistent/diskd.yaml"}, exitError, "", "no such file or directory"},
		{"no daemon at --socket", []string{"--socket", "/nonexistent/s", "list"}, exitUnavailable, "", "daemon not running: no socket at /nonexistent/s"},
		{"no daemon at --socket=", []string{"--socket=/nonexistent/t", "status"}, exitUnavailable, "", "no socket at /nonexistent/t"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			code := run(c.args, strings.NewReader(""), &out, &errs)
			if code != c.code {
				t.Errorf("got exit %v, want %v (stderr %q)", code, c.code, errs.String())
			}
			if !strings.HasPrefix(out.String(), c.outPrefix) {
				t.Errorf("got stdout %q, want it to start with %q", out.String(), c.outPrefix)
			}
			if !strings.Contains(errs.String(), c.errHas) {
				t.Errorf("got stderr %q, want it to contain %q", errs.String(), c.errHas)
			}
		})
	}
}

// The usage lists every visible command of the table and the exit codes
// scripts rely on.
func TestUsage_listsCommandsAndExitCodes(t *testing.T) {
	for i := range lineproto.Commands {
		c := &lineproto.Commands[i]
		if !c.Hidden && !strings.Contains(usage, "  "+c.Usage()+" ") {
			t.Errorf("got usage without %q", c.Usage())
		}
	}
	if strings.Contains(usage, "_panic") {
		t.Errorf("got the hidden test hook in the usage")
	}
	want := "Exit status: 0 success, 1 nothing matched, 2 error or usage, 3 daemon unreachable."
	if !strings.Contains(usage, "4: mount or unmount got no answer") || exitNoAnswer != 4 {
		t.Errorf("got usage without exit code 4 of mount")
	}
	if !strings.Contains(usage, want) {
		t.Errorf("got usage without %q", want)
	}
	if got := []int{exitOK, exitNotFound, exitError, exitUnavailable}; got[0] != 0 || got[1] != 1 || got[2] != 2 || got[3] != 3 {
		t.Errorf("got exit codes %v, want 0 1 2 3 as documented", got)
	}
}

// --socket beats $DISKD_SOCKET, which beats --config's socket, which
// beats the default.
func TestSocketPath_precedence(t *testing.T) {
	home := isolate(t)
	cfgFile := filepath.Join(home, "d.yaml")
	if err := os.WriteFile(cfgFile, []byte("socket: /from/config.sock\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		g    globals
		env  string
		want string
	}{
		{"flag", globals{socket: "/from/flag", config: cfgFile}, "/from/env", "/from/flag"},
		{"environment", globals{config: cfgFile}, "/from/env", "/from/env"},
		{"config file", globals{config: cfgFile}, "", "/from/config.sock"},
		{"default", globals{}, "", filepath.Join(home, ".diskd-socket")},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("DISKD_SOCKET", c.env)
			got, err := c.g.socketPath()
			if err != nil || got != c.want {
				t.Errorf("got %v, %v, want %v", got, err, c.want)
			}
		})
	}
}

// The client's answer handling end to end through run: the exit code
// follows the daemon's status.
func TestRun_oneShotThroughFlags(t *testing.T) {
	isolate(t)
	f := startFake(t, testGreeting)
	for _, c := range []struct {
		name string
		args []string
		sent string
		code int
		out  string
	}{
		{"ok", []string{"--socket", f.path, "list"}, "list", exitOK, "NODE   LABEL\nhost1  root\n.hidden\n"},
		{"--json before the socket flag", []string{"--json", "--socket=" + f.path, "list"}, "list --json", exitOK,
			`{"disks":[{"node":"host1","label":".hidden"}]}` + "\n"},
		{"not found is 1", []string{"--socket", f.path, "where", "nothing"}, "where nothing", exitNotFound, ""},
		{"an error answer is 2", []string{"--socket", f.path, "nosuch"}, "nosuch", exitError, ""},
		{"a broken answer is 3", []string{"--socket", f.path, "crash"}, "crash", exitUnavailable, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			code := run(c.args, nil, &out, &errs)
			if code != c.code {
				t.Errorf("got exit %v, want %v (stderr %q)", code, c.code, errs.String())
			}
			if got := <-f.received; got != c.sent {
				t.Errorf("got sent %q, want %q", got, c.sent)
			}
			if out.String() != c.out {
				t.Errorf("got stdout %q, want %q", out.String(), c.out)
			}
		})
	}
	// $DISKD_SOCKET is honoured when no --socket is given.
	t.Setenv("DISKD_SOCKET", f.path)
	var out, errs bytes.Buffer
	if code := run([]string{"list"}, nil, &out, &errs); code != exitOK || <-f.received != "list" {
		t.Errorf("via DISKD_SOCKET: got exit %v (stderr %q), want 0 and list sent", code, errs.String())
	}
}

func TestAnswerCode(t *testing.T) {
	for _, c := range []struct {
		name string
		a    lineproto.Answer
		err  error
		want int
	}{
		{"ok", lineproto.Answer{}, nil, exitOK},
		{"ok with summary", lineproto.Answer{Message: "2 disks"}, nil, exitOK},
		{"not found", lineproto.Answer{Code: "not-found"}, nil, exitNotFound},
		{"usage", lineproto.Answer{Code: "usage"}, nil, exitError},
		{"blkid", lineproto.Answer{Code: "blkid", Message: "timeout"}, nil, exitError},
		{"not-found-ish codes are errors", lineproto.Answer{Code: "not-found-x"}, nil, exitError},
		{"quit answered by a close", lineproto.Answer{}, lineproto.ErrClosed, exitOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := answerCode(c.a, c.err); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestRunConfig(t *testing.T) {
	home := isolate(t)
	file := filepath.Join(home, "d.yaml")
	if err := os.WriteFile(file, []byte("node: fromfile\nmulticast:\n  port: 4000\n  ttl: 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		g       globals
		args    []string
		env     string
		code    int
		check   func(*config.Config) (got, want any)
		errHas  string
		outNone bool
	}{
		{"defaults", globals{}, nil, "", exitOK,
			func(c *config.Config) (any, any) { return c.Multicast.Port, config.DefaultPort }, "", false},
		{"file over defaults", globals{config: file}, nil, "", exitOK,
			func(c *config.Config) (any, any) { return c.Node, "fromfile" }, "", false},
		{"flag over file", globals{config: file}, []string{"--port", "5000"}, "", exitOK,
			func(c *config.Config) (any, any) { return c.Multicast.Port, 5000 }, "", false},
		{"file kept where no flag", globals{config: file}, []string{"--port", "5000"}, "", exitOK,
			func(c *config.Config) (any, any) { return c.Multicast.TTL, 3 }, "", false},
		{"--config after the command", globals{}, []string{"--config", file}, "", exitOK,
			func(c *config.Config) (any, any) { return c.Node, "fromfile" }, "", false},
		{"global --socket", globals{socket: "/g.sock"}, nil, "/env.sock", exitOK,
			func(c *config.Config) (any, any) { return c.Socket, "/g.sock" }, "", false},
		{"DISKD_SOCKET like the client", globals{}, nil, "/env.sock", exitOK,
			func(c *config.Config) (any, any) { return c.Socket, "/env.sock" }, "", false},
		{"flag value validated", globals{}, []string{"--port", "0"}, "", exitError, nil,
			"diskd-actors: invalid configuration:\n  multicast.port 0: must be between 1 and 65535", true},
		{"every problem, indented", globals{}, []string{"--port", "0", "--log-level", "loud"}, "", exitError, nil,
			"  multicast.port 0: must be between 1 and 65535\n  log.level \"loud\"", true},
		{"unexpected argument", globals{}, []string{"extra"}, "", exitError, nil, `diskd-actors config: unexpected argument "extra"`, true},
		{"unknown flag", globals{}, []string{"--nope"}, "", exitError, nil, "flag provided but not defined: -nope", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("DISKD_SOCKET", c.env)
			var out, errs bytes.Buffer
			code := runConfig(c.g, c.args, &out, &errs)
			if code != c.code {
				t.Fatalf("got exit %v, want %v (stderr %q)", code, c.code, errs.String())
			}
			if !strings.Contains(errs.String(), c.errHas) {
				t.Errorf("got stderr %q, want it to contain %q", errs.String(), c.errHas)
			}
			if c.outNone && out.Len() != 0 {
				t.Errorf("got stdout %q, want nothing", out.String())
			}
			if c.check == nil {
				return
			}
			// What config prints must be a configuration Parse accepts.
			cfg, err := config.Parse(out.Bytes())
			if err != nil {
				t.Fatalf("got output Parse rejects: %v\n%s", err, out.String())
			}
			if got, want := c.check(cfg); got != want {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestNewLogger(t *testing.T) {
	for _, c := range []struct {
		name     string
		cfg      config.Log
		wantErr  bool
		wantLine string
	}{
		{"text", config.Log{Level: "info", Format: "text"}, false, "level=INFO msg=hello"},
		{"json", config.Log{Level: "info", Format: "json"}, false, `"msg":"hello"`},
		{"level filters", config.Log{Level: "error", Format: "text"}, false, ""},
		{"bad level", config.Log{Level: "loud", Format: "text"}, true, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			l, err := newLogger(c.cfg, &slog.LevelVar{}, &buf)
			if (err != nil) != c.wantErr {
				t.Fatalf("got %v, want error %v", err, c.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), `log.level "loud"`) {
					t.Errorf("got %v, want it to name the key", err)
				}
				return
			}
			l.Info("hello")
			if got := buf.String(); (c.wantLine == "") != (got == "") || !strings.Contains(got, c.wantLine) {
				t.Errorf("got %q, want %q", got, c.wantLine)
			}
		})
	}
}

func TestIndent(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"a", "  a"},
		{"a\nb", "  a\n  b"},
		{"", "  "},
	} {
		if got := indent(c.in); got != c.want {
			t.Errorf("indent(%q): got %q, want %q", c.in, got, c.want)
		}
	}
}

// runOneShot sends no --json with quit (the daemon closes on it anyway)
// and treats a close after quit as success.
func TestRunOneShot_quitWithJSON(t *testing.T) {
	f := startFake(t, testGreeting)
	var out, errs bytes.Buffer
	if code := runOneShot(f.path, true, []string{"exit"}, nil, &out, &errs); code != exitOK {
		t.Errorf("got exit %v, want %v (stderr %q)", code, exitOK, errs.String())
	}
	if got := <-f.received; got != "exit" {
		t.Errorf("got sent %q, want %q", got, "exit")
	}
}
