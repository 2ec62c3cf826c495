package main

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestCompletions(t *testing.T) {
	isolate(t)
	var asked []globals
	disks := func(g globals) []string {
		asked = append(asked, g)
		return []string{"backup 1", "root-1", "00000001-aaaa-4bbb-8ccc-000000000001"}
	}
	for _, c := range []struct {
		words []string
		cur   string
		want  []string
	}{
		{nil, "de", []string{"demo", "debug"}},
		{nil, "com", []string{"completion"}},
		{nil, "--s", []string{"--socket"}},
		{[]string{"--socket"}, "", nil}, // a file name: the shell's
		{[]string{"--socket", "/s"}, "wh", []string{"where"}},
		{[]string{"--json"}, "l", []string{"list", "localhost"}},
		{[]string{"where"}, "", []string{"backup 1", "root-1", "00000001-aaaa-4bbb-8ccc-000000000001", "--json"}},
		{[]string{"where"}, "ro", []string{"root-1"}},
		{[]string{"where"}, "0000", []string{"00000001-aaaa-4bbb-8ccc-000000000001"}},
		{[]string{"where"}, "-", []string{"--json"}},
		{[]string{"where", "root-1"}, "", []string{"--json"}},
		{[]string{"where", "--json"}, "r", []string{"root-1"}},
		{[]string{"list"}, "", []string{"--json"}},
		{[]string{"list", "--json"}, "", nil},
		{[]string{"quit"}, "", nil},
		{[]string{"daemon"}, "--log", []string{"--log-format", "--log-level"}},
		{[]string{"daemon", "--config"}, "", nil},
		{[]string{"daemon", "--config=x"}, "--n", []string{"--node"}},
		{[]string{"demo"}, "--", []string{"--check", "--dir", "--nodes", "--port", "--timeout", "--help"}},
		{[]string{"demo", "--nodes"}, "", nil},
		{[]string{"config"}, "--c", []string{"--config"}},
		{[]string{"completion"}, "", []string{"bash", "zsh"}},
		{[]string{"completion", "bash"}, "", nil},
		{[]string{"help"}, "wh", []string{"where"}},
		{[]string{"help"}, "da", []string{"daemon"}},
		{[]string{"frobnicate"}, "", nil},
	} {
		got := completions(c.words, c.cur, disks)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("completions(%q, %q) = %q, want %q", c.words, c.cur, got, c.want)
		}
	}
	asked = nil
	completions([]string{"--socket=/a.sock", "--config", "/c.yaml", "where"}, "", disks)
	if len(asked) != 1 || asked[0].socket != "/a.sock" || asked[0].config != "/c.yaml" {
		t.Errorf("where after --socket=/a.sock --config /c.yaml asked the daemon with %+v, want those", asked)
	}
}

func TestShellWords(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`backup\ 1`, "backup 1"}, {`"back`, "back"}, {`'backup 1'`, "backup 1"}, {`plain`, "plain"}, {`a\`, `a\`},
	} {
		if got := shellUnquote(c.in); got != c.want {
			t.Errorf("shellUnquote(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := bashEscape(`backup 1 $x`); got != `backup\ 1\ \$x` {
		t.Errorf("bashEscape: got %q", got)
	}
}

// __complete with no daemon prints the words it knows, and nothing of the
// daemon's, without an error.
func TestRunComplete_noDaemon(t *testing.T) {
	isolate(t)
	t.Setenv("DISKD_SOCKET", "/nonexistent/diskd.sock")
	var out, errs bytes.Buffer
	if code := run([]string{"__complete", "bash", "where", ""}, nil, &out, &errs); code != exitOK || errs.Len() != 0 {
		t.Fatalf("exit %d, stderr %q; want 0 and quiet", code, errs.String())
	}
	if out.String() != "--json\n" {
		t.Errorf("got %q, want only --json", out.String())
	}
	out.Reset()
	run([]string{"__complete", "bash", "comp"}, nil, &out, &errs)
	if out.String() != "completion\n" {
		t.Errorf("got %q, want completion", out.String())
	}
}

func TestRunCompletion_scripts(t *testing.T) {
	for shell, has := range map[string]string{"bash": "complete -o default -F _diskd_actors diskd-actors", "zsh": "#compdef diskd-actors"} {
		var out, errs bytes.Buffer
		if code := run([]string{"completion", shell}, nil, &out, &errs); code != exitOK || !strings.Contains(out.String(), has) {
			t.Errorf("completion %s: exit %d, stdout %q; want 0 and %q", shell, code, out.String(), has)
		}
		if !strings.Contains(out.String(), "__complete "+shell) {
			t.Errorf("completion %s: the script does not call __complete %s", shell, shell)
		}
	}
}
