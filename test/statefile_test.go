package test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

const secretLine = "root:$6$SECRETHASH$abc:19000:0:99999:7:::\n"

// TestStateFile_UnsafePathsRefused: state_file is a symlink to a secret, a
// FIFO, a directory. Each daemon starts at once (a FIFO must not hang it),
// warns that persistence is off naming the path only, answers clients,
// stops cleanly and leaves the thing as it was.
func TestStateFile_UnsafePathsRefused(t *testing.T) {
	t.Parallel()
	secretDir := t.TempDir()
	secret := filepath.Join(secretDir, "shadow")
	if err := os.WriteFile(secret, []byte(secretLine), 0o600); err != nil {
		t.Fatal(err)
	}
	kinds := []struct {
		name string
		make func(path string) error
	}{
		{"symlink", func(p string) error { return os.Symlink(secret, p) }},
		{"fifo", func(p string) error { return syscall.Mkfifo(p, 0o600) }},
		{"directory", func(p string) error { return os.Mkdir(p, 0o700) }},
	}
	stateOf := func(c *config.Config) string { return filepath.Join(filepath.Dir(c.Socket), "state.json") }
	b := bed.New(t, bed.Options{Hosts: len(kinds), DeferStart: true, StartTimeout: 20 * time.Second,
		Configure: func(i int, c *config.Config) { c.StateFile = stateOf(c) }})
	before := map[string]os.FileMode{}
	for i, h := range b.Hosts {
		path := filepath.Join(h.Dir, "state.json")
		if err := kinds[i].make(path); err != nil {
			t.Fatal(err)
		}
		fi, _ := os.Lstat(path)
		before[path] = fi.Mode()
	}
	if _, _, err := b.StartAll(); err != nil {
		t.Fatal(err)
	}
	if err := b.WaitReady(20 * time.Second); err != nil {
		t.Fatalf("a daemon did not come up (a hang?): %v", err)
	}
	for i, h := range b.Hosts {
		path := filepath.Join(h.Dir, "state.json")
		t.Run(kinds[i].name, func(t *testing.T) {
			if a, err := h.Query("status"); err != nil || !a.OK() {
				t.Fatalf("status: %v, %v", a, err)
			}
			waitLog(t, h, "state file not usable; persistence off")
			log := h.LogTail(200)
			if !strings.Contains(log, path) {
				t.Errorf("log does not name %s:\n%s", path, log)
			}
			for _, leak := range []string{"SECRET", "root:", secret} {
				if strings.Contains(log, leak) {
					t.Errorf("log tells of the target (%q):\n%s", leak, log)
				}
			}
			if err := h.Stop(); err != nil {
				t.Errorf("stop: %v\n%s", err, h.LogTail(20))
			}
			if fi, err := os.Lstat(path); err != nil || fi.Mode() != before[path] {
				t.Errorf("%s changed: %v (%v), was %v", path, fi, err, before[path])
			}
		})
	}
	if got, _ := os.ReadFile(secret); string(got) != secretLine {
		t.Errorf("the secret changed: %q", got)
	}
}

// TestStateFile_SecondDaemonExits2: two daemons (two sockets) on one state
// file: the second exits with status 2 naming the lock and the PID of the
// first, which keeps running.
func TestStateFile_SecondDaemonExits2(t *testing.T) {
	t.Parallel()
	shared := filepath.Join(t.TempDir(), "state.json")
	b := bed.New(t, bed.Options{Hosts: 2, DeferStart: true,
		Configure: func(i int, c *config.Config) { c.StateFile = shared }})
	first, second := b.Hosts[0], b.Hosts[1]
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	if err := first.WaitReady(20 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for second.Running() {
		if time.Now().After(deadline) {
			t.Fatalf("the second daemon still runs:\n%s", second.LogTail(20))
		}
		time.Sleep(10 * time.Millisecond)
	}
	var ee *exec.ExitError
	if err := second.ExitErr(); !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Errorf("second daemon: got exit %v, want status 2", err)
	}
	log := second.LogTail(20)
	for _, want := range []string{shared + ".lock", "process " + strconv.Itoa(first.PID())} {
		if !strings.Contains(log, want) {
			t.Errorf("second daemon's message does not name %q:\n%s", want, log)
		}
	}
	if _, err := os.Stat(second.Socket); err == nil {
		t.Error("the refused daemon left its socket")
	}
	if a, err := first.Query("status"); err != nil || !a.OK() {
		t.Errorf("the first daemon: status %v, %v", a, err)
	}
}

func waitLog(t *testing.T, h *bed.Host, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(h.LogTail(200), want) {
		if time.Now().After(deadline) {
			t.Fatalf("log has no %q:\n%s", want, h.LogTail(40))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
