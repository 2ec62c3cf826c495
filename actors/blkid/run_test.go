package blkid

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
)

// These tests start processes; they do not run in parallel, because a
// script being written while another test forks fails with ETXTBSY.

// fakeBlkid writes a shell script standing in for blkid.
func fakeBlkid(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "blkid")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// errorKind returns the Kind of a *RunError, or "" for other errors.
func errorKind(err error) Kind {
	var be *RunError
	if errors.As(err, &be) {
		return be.Kind
	}
	return ""
}

// waitGone polls until pid no longer runs. A zombie counts as gone: here
// PID 1 may not reap orphans.
func waitGone(t *testing.T, pid int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		err := syscall.Kill(pid, 0)
		if errors.Is(err, syscall.ESRCH) {
			return
		}
		if stat, rerr := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); rerr == nil {
			if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) && (stat[i+2] == 'Z' || stat[i+2] == 'X') {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d still runs after %v (kill: %v), want it killed", pid, within, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// readPid reads the pid a script wrote to path.
func readPid(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the grandchild's pid: %v (the script did not get that far)", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		t.Fatalf("got pid %q, want a number", b)
	}
	return pid
}

func TestRun_Success(t *testing.T) {
	script := fakeBlkid(t, `printf '/dev/sda1: LABEL="a b" UUID="u"\n'; echo "a warning" >&2`)
	out, err := Run(context.Background(), []string{script, "-c", "/dev/null"}, 10*time.Second)
	if want := "/dev/sda1: LABEL=\"a b\" UUID=\"u\"\n"; err != nil || string(out) != want {
		t.Fatalf("got %q, %v, want %q, nil", out, err, want)
	}
}

func TestRun_Exit2IsNoDisks(t *testing.T) {
	script := fakeBlkid(t, `exit 2`)
	out, err := Run(context.Background(), []string{script}, 10*time.Second)
	if err != nil || len(out) != 0 {
		t.Fatalf("got %q, %v, want no output and no error", out, err)
	}
}

func TestRun_Exit1(t *testing.T) {
	script := fakeBlkid(t, `echo "partial" ; echo "blkid: bad usage" >&2; exit 1`)
	out, err := Run(context.Background(), []string{script}, 10*time.Second)
	var be *RunError
	if !errors.As(err, &be) || be.Kind != Exit || be.ExitCode != 1 || out != nil {
		t.Fatalf("got %q, %#v, want no output and a RunError of kind exit, code 1", out, err)
	}
	if !strings.Contains(be.Stderr, "blkid: bad usage") || !strings.Contains(err.Error(), "blkid: bad usage") {
		t.Fatalf("got stderr %q, message %q, want both to hold %q", be.Stderr, err, "blkid: bad usage")
	}
}

func TestRun_StderrTail(t *testing.T) {
	// 10,000 lines of stderr; only the last 4 KiB are kept.
	script := fakeBlkid(t, `i=0; while [ $i -lt 10000 ]; do echo "line $i" >&2; i=$((i+1)); done; exit 4`)
	_, err := Run(context.Background(), []string{script}, 30*time.Second)
	var be *RunError
	if !errors.As(err, &be) || be.Kind != Exit || be.ExitCode != 4 {
		t.Fatalf("got %v, want a RunError of kind exit, code 4", err)
	}
	if len(be.Stderr) != maxStderr || !strings.HasSuffix(be.Stderr, "line 9999\n") {
		t.Fatalf("got %d bytes of stderr ending %q, want %d ending %q", len(be.Stderr), be.Stderr[max(0, len(be.Stderr)-20):], maxStderr, "line 9999\n")
	}
}

func TestRun_StartErrors(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "blkid")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\necho hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		argv []string
		want Kind
	}{
		{"missing path", []string{filepath.Join(dir, "no-such-blkid")}, NotFound},
		{"missing in PATH", []string{"diskd-actors-no-such-blkid"}, NotFound},
		{"empty argv", nil, NotFound},
		{"not executable", []string{notExec}, Permission},
	} {
		out, err := Run(context.Background(), c.argv, 10*time.Second)
		if got := errorKind(err); got != c.want || out != nil {
			t.Errorf("%s: got %q, %v (kind %q), want kind %q", c.name, out, err, got, c.want)
		}
	}
}

// TestRun_TimeoutKillsGroup runs a script that hangs in a grandchild:
// the timeout must kill both, even though the grandchild holds stdout.
func TestRun_TimeoutKillsGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	script := fakeBlkid(t, `sleep 30 & echo $! > "$1"; wait`)
	start := time.Now()
	out, err := Run(context.Background(), []string{script, pidFile}, 200*time.Millisecond)
	took := time.Since(start)
	if got := errorKind(err); got != Timeout || out != nil {
		t.Fatalf("got %q, %v (kind %q), want kind %q", out, err, got, Timeout)
	}
	if took > 200*time.Millisecond+waitDelay+2*time.Second {
		t.Fatalf("got a return after %v, want soon after the 200ms timeout", took)
	}
	waitGone(t, readPid(t, pidFile), 5*time.Second)
}

// TestRun_CancelKillsGroup cancels the caller's context instead.
func TestRun_CancelKillsGroup(t *testing.T) {
	dir := t.TempDir()
	pidFile, ready := filepath.Join(dir, "pid"), filepath.Join(dir, "ready")
	script := fakeBlkid(t, `sleep 30 & echo $! > "$1"; mv "$1" "$2"; wait`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, []string{script, pidFile, ready}, time.Minute)
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for _, err := os.Stat(ready); err != nil; _, err = os.Stat(ready) {
		if time.Now().After(deadline) {
			t.Fatalf("the script did not start within 10s: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if got := errorKind(err); got != Canceled {
			t.Fatalf("got %v (kind %q), want kind %q", err, got, Canceled)
		}
	case <-time.After(waitDelay + 5*time.Second):
		t.Fatalf("Run still runs %v after cancel, want it to return", waitDelay+5*time.Second)
	}
	waitGone(t, readPid(t, ready), 5*time.Second)
}

// TestRun_LeftoverChild covers a script that exits while a child it
// started keeps stdout open: Wait must not hang on it.
func TestRun_LeftoverChild(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	script := fakeBlkid(t, `sleep 30 & echo $! > "$1"; echo "/dev/sda1: UUID=\"u\""`)
	// Had Run waited for the child, it would end at its one-minute
	// timeout, with kind Timeout.
	_, err := Run(context.Background(), []string{script, pidFile}, time.Minute)
	if got := errorKind(err); got != Exit {
		t.Fatalf("got %v (kind %q), want kind %q", err, got, Exit)
	}
	waitGone(t, readPid(t, pidFile), 5*time.Second)
}

func TestRun_OutputLimit(t *testing.T) {
	for _, c := range []struct {
		name   string
		script string
		want   Kind // error kind, "" for success
	}{
		{"exactly 4 MiB", `head -c 4194304 /dev/zero`, ""},
		{"4 MiB + 1", `head -c 4194305 /dev/zero`, OutputTooLarge},
		{"endless", `exec yes "/dev/sda1: UUID=\"u\""`, OutputTooLarge},
	} {
		// A run that waited for its timeout would end with kind Timeout.
		out, err := Run(context.Background(), []string{fakeBlkid(t, c.script)}, time.Minute)
		if got := errorKind(err); got != c.want || (c.want == "" && (err != nil || len(out) != maxOutput)) {
			t.Errorf("%s: got %d bytes, %v (kind %q), want kind %q", c.name, len(out), err, got, c.want)
		}
	}
}

func TestRawOutput(t *testing.T) {
	for _, c := range []struct {
		argv string
		want bool
	}{
		{"blkid", false},
		{"blkid -d", true},
		{"blkid --no-encoding", true},
		{"blkid --no-enc", true},
		{"blkid -c /dev/null -o export -d", true},
		{"blkid -d -o export -c /dev/null", true},
		{"blkid -do export", true},
		{"blkid -pd /dev/sda", true},
		{"blkid -c /dev/null -o export", false},
		{"blkid -o -d", false}, // -d is the argument of -o
		{"blkid -od", false},   // likewise
		{"blkid -s LABEL -s -d", false},
		{"blkid --output -d", false},
		{"blkid --output=export -d", true},
		{"blkid --no /dev/sda", false}, // ambiguous: --no-encoding or --no-part-details
		{"blkid -- -d", false},         // a device named -d
		{"blkid /dev/sda -d", true},    // getopt permutes
	} {
		if got := RawOutput(strings.Fields(c.argv)); got != c.want {
			t.Errorf("RawOutput(%q): got %v, want %v", c.argv, got, c.want)
		}
	}
}

// TestRun_RealBlkidOnALoopDevice checks Run and Parse against the real
// blkid, on a loop device with a label that needs every kind of encoding.
func TestRun_RealBlkidOnALoopDevice(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to attach a loop device")
	}
	for _, tool := range []string{"blkid", "losetup", "mkfs.ext4"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s: %v", tool, err)
		}
	}
	const label = `bäck "up" 1`
	img := filepath.Join(t.TempDir(), "img")
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 8<<20); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mkfs.ext4", "-q", "-F", "-L", label, img).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.ext4: %v: %s", err, out)
	}
	out, err := exec.Command("losetup", "-f", "--show", img).CombinedOutput()
	if err != nil {
		t.Skipf("cannot attach a loop device here: losetup: %v: %s", err, out)
	}
	dev := strings.TrimSpace(string(out))
	attached := true
	detach := func() {
		if attached {
			if out, err := exec.Command("losetup", "-d", dev).CombinedOutput(); err != nil {
				t.Errorf("losetup -d %s: %v: %s", dev, err, out)
			}
			attached = false
		}
	}
	t.Cleanup(detach)
	out, err = exec.Command("blkid", "-c", "/dev/null", "-s", "UUID", "-o", "value", dev).Output()
	uuid := strings.TrimSpace(string(out))
	if err != nil || uuid == "" {
		t.Fatalf("blkid -s UUID -o value %s: got %q, %v, want a UUID", dev, out, err)
	}
	want := messages.Disk{UUID: uuid, Label: label, Device: dev, Type: "ext4"}

	commands := [][]string{
		{"blkid", "-c", "/dev/null", "-o", "export", "-d"},
		{"blkid", "-c", "/dev/null"},
	}
	scan := func(argv []string) []messages.Disk {
		t.Helper()
		out, err := Run(context.Background(), argv, 30*time.Second)
		if err != nil {
			t.Fatalf("%q: got %v, want output", argv, err)
		}
		disks, err := Parse(out, RawOutput(argv))
		if err != nil {
			t.Fatalf("%q: got %v parsing %q, want disks", argv, err, out)
		}
		return disks
	}
	for _, argv := range commands {
		disks := scan(argv)
		i := slices.IndexFunc(disks, func(d messages.Disk) bool { return d.Device == dev })
		if i < 0 || !disks[i].Equal(want) {
			t.Errorf("%q: got %+v, want them to hold %+v", argv, disks, want)
		}
	}

	detach()
	for _, argv := range commands {
		for _, d := range scan(argv) {
			if d.UUID == uuid {
				t.Errorf("%q after losetup -d: got %+v, want the disk gone", argv, d)
			}
		}
	}
}
