package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// help, help COMMAND and every subcommand's --help answer without a
// daemon, on stdout, with exit 0.
func TestHelp_WithoutDaemon(t *testing.T) {
	t.Parallel()
	nowhere := filepath.Join(t.TempDir(), "none.sock")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"help"}, "completion bash|zsh"},
		{[]string{"help", "where"}, "where <uuid|label|device>"},
		{[]string{"daemon", "--help"}, "--config FILE"},
		{[]string{"config", "--help"}, "default 32003"},
		{[]string{"demo", "--help"}, "--nodes N"},
	} {
		out, errs, code := runClient(t, append([]string{"--socket", nowhere}, c.args...)...)
		if code != 0 || errs != "" || !strings.Contains(out, c.want) {
			t.Errorf("%q without a daemon: exit %d, stderr %q, stdout %q; want exit 0, stdout ~%q", c.args, code, errs, out, c.want)
		}
	}
}

// The bash script, loaded into a real bash, completes commands and flags,
// and the labels and UUIDs of the daemon the command line names; with no
// daemon it offers what it knows and stays quiet.
func TestCompletion_Bash(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not installed: the bash completion script cannot be tried")
	}
	d := newNetwork(t).start("comp", exportDisk("/dev/sda1", uuidFor(0, 1), "backup 1", "ext4")+"\n"+
		exportDisk("/dev/sdb1", uuidFor(0, 2), "root-c", "xfs"))
	eventually(t, 5*time.Second, "local disks listed", func() bool { return len(d.list()) == 2 })
	complete := func(words ...string) []string {
		t.Helper()
		script := `source <("$BIN" completion bash) || exit 9
complete -p diskd-actors >/dev/null || exit 8
COMP_WORDS=("$BIN" "$@"); COMP_CWORD=$#
_diskd_actors
printf '%s\n' "${COMPREPLY[@]}"`
		cmd := exec.Command("bash", append([]string{"-c", script, "bash"}, words...)...)
		cmd.Env = append(os.Environ(), "BIN="+bin, "HOME="+t.TempDir(), "DISKD_SOCKET=")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("bash completing %q: %v", words, err)
		}
		return strings.Fields(strings.ReplaceAll(strings.TrimSpace(string(out)), `\ `, "\x00"))
	}
	unsp := func(w []string) string { return strings.ReplaceAll(strings.Join(w, " "), "\x00", `\ `) }
	for _, c := range []struct {
		words []string
		want  string
	}{
		{[]string{"de"}, "demo debug"},
		{[]string{"--socket", d.socket, "where", ""}, `backup\ 1 root-c ` + uuidFor(0, 1) + " " + uuidFor(0, 2) + " --json"},
		{[]string{"--socket", d.socket, "where", "ro"}, "root-c"},
		{[]string{"--socket", d.socket, "where", uuidFor(0, 2)}, uuidFor(0, 2)},
		{[]string{"--socket", d.socket, "where", "back"}, `backup\ 1`},
		{[]string{"--socket", filepath.Join(t.TempDir(), "none"), "where", ""}, "--json"},
		{[]string{"daemon", "--so"}, "--socket"},
		{[]string{"completion", ""}, "bash zsh"},
	} {
		if got := unsp(complete(c.words...)); got != c.want {
			t.Errorf("completing %q: got %q, want %q", c.words, got, c.want)
		}
	}
}

// The zsh script in a real zsh: compadd receives the daemon's labels and
// UUIDs. compadd and compdef are zsh's completion builtins, stood in for
// here by functions that print their arguments, since no terminal drives
// the line editor.
func TestCompletion_Zsh(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("zsh"); err != nil {
		t.Skip("zsh not installed (Debian: apt-get install zsh): the zsh completion script cannot be tried")
	}
	d := newNetwork(t).start("zcomp", exportDisk("/dev/sda1", uuidFor(0, 1), "backup 1", "ext4"))
	eventually(t, 5*time.Second, "local disk listed", func() bool { return len(d.list()) == 1 })
	script := `compdef() { print -r -- "compdef $*" }
compadd() { shift; print -rl -- "$@" }
_files() { print -r -- _files }
source <("$BIN" completion zsh) || exit 9
words=("$BIN" "$@"); CURRENT=$(( $# + 1 ))
_diskd_actors`
	for _, c := range []struct {
		words []string
		want  string
	}{
		{[]string{"--socket", d.socket, "where", ""}, "backup 1\n" + uuidFor(0, 1) + "\n--json"},
		{[]string{"--socket", d.socket, "where", "'back"}, "backup 1"},
		{[]string{"--socket", d.socket, "lo"}, "localhost"},
		{[]string{"--socket", ""}, "_files"},
	} {
		cmd := exec.Command("zsh", append([]string{"-f", "-c", script, "zsh"}, c.words...)...)
		cmd.Env = append(os.Environ(), "BIN="+bin, "HOME="+t.TempDir(), "DISKD_SOCKET=")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("zsh completing %q: %v (%s)", c.words, err, out)
		}
		got := strings.TrimSpace(strings.TrimPrefix(string(out), "compdef _diskd_actors diskd-actors\n"))
		if got != c.want {
			t.Errorf("zsh completing %q: got %q, want %q", c.words, got, c.want)
		}
	}
}
