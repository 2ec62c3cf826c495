package mountrun

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func script(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fake-mount")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunPassesArgvLiterally(t *testing.T) {
	out := filepath.Join(t.TempDir(), "args")
	s := script(t, `for a in "$@"; do printf '%s|' "$a"; done > "`+out+`"`)
	argv := MountArgv([]string{s}, "ext4", []string{"nosuid", "nodev", "ro"}, "/dev/loop0", "/srv/diskd/a b;$(reboot)")
	if err := Run(context.Background(), argv, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	if want := "-t|ext4|-o|nosuid,nodev,ro|--|/dev/loop0|/srv/diskd/a b;$(reboot)|"; string(got) != want {
		t.Fatalf("argv %q, want %q", got, want)
	}
}

func TestRunFailure(t *testing.T) {
	err := Run(context.Background(), UnmountArgv([]string{script(t, "echo 'umount: not mounted' >&2; exit 32")}, "/x"), 5*time.Second)
	var re *Error
	if !errors.As(err, &re) || re.Timeout || !strings.Contains(err.Error(), "not mounted") || !strings.Contains(err.Error(), "exit status 32") {
		t.Fatalf("err = %v", err)
	}
	if err := Run(context.Background(), []string{"/nonexistent/mount"}, time.Second); err == nil {
		t.Fatal("a missing program ran")
	}
	if err := Run(context.Background(), nil, time.Second); err == nil {
		t.Fatal("an empty argv ran")
	}
}

// TestRunKillsTheGroup: a hung mount and the grandchild it started both
// die at the timeout.
func TestRunKillsTheGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	s := script(t, `sleep 60 & echo $! > "`+pidFile+`"; wait`)
	err := Run(context.Background(), []string{s}, 300*time.Millisecond)
	var re *Error
	if !errors.As(err, &re) || !re.Timeout {
		t.Fatalf("err = %v, want a timeout", err)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	proc := "/proc/" + strings.TrimSpace(string(b))
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := os.ReadFile(proc + "/stat")
		if err != nil || strings.Contains(string(st), ") Z ") {
			return // gone, or a zombie waiting for init
		}
		if time.Now().After(deadline) {
			t.Fatalf("grandchild %s still runs", proc)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
