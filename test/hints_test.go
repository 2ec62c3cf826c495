package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// An empty list says why on stderr (blkid found nothing; no peer heard),
// and --json stays the bare data.
func TestClient_EmptyListHints(t *testing.T) {
	t.Parallel()
	d := newNetwork(t).start("empty", "")
	eventually(t, 5*time.Second, "blkid has run", func() bool {
		lines, status := d.query("status")
		return strings.HasPrefix(status, ".ok") && strings.Contains(strings.Join(lines, "\n"), "blkid")
	})
	out, errs, code := d.client("list")
	if code != 0 || !strings.Contains(errs, "hint: no disks known") || !strings.Contains(errs, "blkid found no disks") ||
		!strings.Contains(errs, "no other daemon has been heard") {
		t.Errorf("empty list: exit %d, stdout %q, stderr %q; want exit 0 and a hint naming blkid and the peers", code, out, errs)
	}
	piped := exec.Command(bin, "--socket", d.socket)
	piped.Stdin = strings.NewReader("list\n")
	var perrs strings.Builder
	piped.Stderr = &perrs
	if err := piped.Run(); err != nil || !strings.Contains(perrs.String(), "hint: no disks known") {
		t.Errorf("piped list: %v, stderr %q; want the hint too", err, perrs.String())
	}
	out, errs, code = d.client("--json", "list")
	if code != 0 || strings.TrimSpace(out) != "[]" || errs != "" {
		t.Errorf("--json empty list: exit %d, stdout %q, stderr %q; want [] and nothing else", code, out, errs)
	}
}

// With blkid missing from the start, refresh says there is no list yet
// (not that the last good one is kept), and list's hint names blkid.
func TestClient_MissingBlkidHasNoListToKeep(t *testing.T) {
	t.Parallel()
	d := newNetwork(t).start("noblkid", "", withBlkidCommand(filepath.Join(t.TempDir(), "no-blkid")))
	_, errs, code := d.client("refresh")
	if code != 2 || !strings.Contains(errs, "not_found") || !strings.Contains(errs, "no local disk list yet") || strings.Contains(errs, "last good") {
		t.Errorf("refresh without blkid: exit %d, stderr %q; want exit 2, not_found and 'no local disk list yet'", code, errs)
	}
	if _, errs, _ := d.client("list"); !strings.Contains(errs, "cannot run blkid") {
		t.Errorf("list without blkid: stderr %q, want a hint that blkid cannot run", errs)
	}
}

// A user the socket's mode keeps out is told its mode and owner, and what
// to do. Needs root, to run the client as another user.
func TestClient_PermissionDeniedSaysWhatToDo(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the client as another user (uid 65534)")
	}
	d := newNetwork(t).start("perm", exportDisk("/dev/sda1", uuidFor(0, 1), "root", "ext4"))
	// Open the way to the socket (not the socket) to everyone: every
	// directory above it up to the system's temporary directory is the
	// test's own.
	for dir := filepath.Dir(d.socket); strings.HasPrefix(dir, os.TempDir()+"/"); dir = filepath.Dir(dir) {
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	pub := t.TempDir()
	if err := os.Chmod(pub, 0o755); err != nil {
		t.Fatal(err)
	}
	client := filepath.Join(pub, "diskd-actors")
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(client, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(client, "--socket", d.socket, "list")
	cmd.Env = append(os.Environ(), "HOME="+pub)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var errs strings.Builder
	cmd.Stderr = &errs
	err = cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 3 {
		t.Fatalf("client as uid 65534: %v, want exit 3; stderr %q", err, errs.String())
	}
	t.Logf("the client said: %s", errs.String())
	for _, want := range []string{"permission denied connecting to " + d.socket, "mode Srw-------", "owner root:", "sudo", "socket_group"} {
		if !strings.Contains(errs.String(), want) {
			t.Errorf("stderr %q lacks %q", errs.String(), want)
		}
	}
}
