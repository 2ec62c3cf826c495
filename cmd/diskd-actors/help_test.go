package main

import (
	"bytes"
	"flag"
	"strings"
	"testing"
)

// Help of every kind needs no daemon: the socket points nowhere, and each
// still answers on stdout with exit 0.
func TestHelp_withoutDaemon(t *testing.T) {
	isolate(t)
	t.Setenv("DISKD_SOCKET", "/nonexistent/diskd.sock")
	for _, c := range []struct {
		args []string
		has  []string
	}{
		{[]string{"help"}, []string{"diskd-actors: where is that disk?", "completion bash|zsh", "where <uuid|label|device>"}},
		{[]string{"?"}, []string{"diskd-actors: where is that disk?"}},
		{[]string{"help", "where"}, []string{"where <uuid|label|device>", "(exit 1)", `where "backup 2"`}},
		{[]string{"where", "--help"}, []string{"where <uuid|label|device>"}},
		{[]string{"help", "quit"}, []string{"Also spelled: exit"}},
		{[]string{"help", "daemon"}, []string{"Usage: diskd-actors daemon [flags]", "--config FILE", "(config: multicast.port; default 32003)"}},
		{[]string{"daemon", "--help"}, []string{"--config FILE", "--socket PATH", "--log-level LEVEL", "(config: log.level; default info)", "-h, --help"}},
		{[]string{"daemon", "-h"}, []string{"Usage: diskd-actors daemon [flags]"}},
		{[]string{"config", "--help"}, []string{"Usage: diskd-actors config [flags]", "--config FILE", "default 230.1.2.3"}},
		{[]string{"demo", "--help"}, []string{"Usage: diskd-actors demo [flags]", "--nodes N", "(default 3)", "--port PORT", "a free one", "--timeout DURATION", "(default 20s)"}},
		{[]string{"help", "demo"}, []string{"Usage: diskd-actors demo [flags]"}},
		{[]string{"completion", "--help"}, []string{"Usage: diskd-actors completion bash|zsh"}},
		{[]string{"help", "completion"}, []string{"source <(diskd-actors completion bash)"}},
		{[]string{"version", "--help"}, []string{"Usage: diskd-actors version"}},
		{[]string{"help", "help"}, []string{"Usage: diskd-actors help [COMMAND]"}},
		{[]string{"help", "--help"}, []string{"diskd-actors: where is that disk?"}},
	} {
		var out, errs bytes.Buffer
		code := run(c.args, strings.NewReader(""), &out, &errs)
		if code != exitOK || errs.Len() != 0 {
			t.Errorf("%q: exit %d, stderr %q; want exit 0 and nothing on stderr", c.args, code, errs.String())
		}
		for _, h := range c.has {
			if !strings.Contains(out.String(), h) {
				t.Errorf("%q: stdout lacks %q:\n%s", c.args, h, out.String())
			}
		}
		if strings.Contains(out.String(), "\n  -config") || strings.Contains(out.String(), "\n  -port") {
			t.Errorf("%q: a flag spelled with one dash:\n%s", c.args, out.String())
		}
	}
}

// Usage errors print the help on stderr, exit 2, nothing on stdout.
func TestHelp_errors(t *testing.T) {
	isolate(t)
	for _, c := range []struct {
		args []string
		has  string
	}{
		{[]string{"help", "frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"help", "where", "list"}, "one command at a time"},
		{[]string{"help", "_panic"}, `unknown command "_panic"`},
		{[]string{"demo", "--bogus"}, "Usage: diskd-actors demo [flags]"},
		{[]string{"demo", "extra"}, `unexpected argument "extra"`},
		{[]string{"daemon", "--bogus"}, "flag provided but not defined"},
		{[]string{"completion"}, "which shell?"},
		{[]string{"completion", "fish"}, `no script for "fish"`},
	} {
		var out, errs bytes.Buffer
		code := run(c.args, strings.NewReader(""), &out, &errs)
		if code != exitError || out.Len() != 0 || !strings.Contains(errs.String(), c.has) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2, no stdout, stderr ~%q", c.args, code, out.String(), errs.String(), c.has)
		}
	}
}

func TestWithDefault(t *testing.T) {
	for _, c := range []struct{ help, want string }{
		{"multicast port (config: multicast.port)", "multicast port (config: multicast.port; default 32003)"},
		{"ttl (config: multicast.ttl)", "ttl (config: multicast.ttl; default 1)"},
		{"interface (config: multicast.interface)", "interface (config: multicast.interface)"},
		{"unknown (config: no.such.key)", "unknown (config: no.such.key)"},
		{"already says its default (default: x)", "already says its default (default: x)"},
	} {
		if got := withDefault(newTestFlag(""), c.help); got != c.want {
			t.Errorf("withDefault(%q) = %q, want %q", c.help, got, c.want)
		}
	}
	if got := withDefault(newTestFlag("20s"), "how long"); got != "how long (default 20s)" {
		t.Errorf("own default: got %q", got)
	}
}

func newTestFlag(def string) *flag.Flag { return &flag.Flag{Name: "x", DefValue: def} }
