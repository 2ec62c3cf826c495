package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/config"
)

// Who may reach the daemon as a service: socket_group and socket_mode, and
// the unit's capability bound. Both need root; they skip with a message
// otherwise.

// With socket_group nogroup and socket_mode 0660, user nobody (primary
// group nogroup) lists disks without root; user daemon, not in the group,
// is refused with a message naming the mode, the group and sudo.
func TestService_SocketGroup(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the daemon gives its socket to group nogroup and clients run as nobody and daemon")
	}
	nobody, nogroup, daemonUID, daemonGID := lookupIDs(t)
	// A directory every user may traverse, holding the socket and a copy
	// of the client (the test's build directory is private).
	dir, err := os.MkdirTemp("", "diskd-svc-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	client := filepath.Join(dir, "diskd-actors")
	if err := copyFile(bin, client, 0o755); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "s")
	n := newNetwork(t)
	d := n.start("grouped", exportDisk("/dev/sda1", uuidFor(7, 1), "shared", "ext4"), withSocket(sock),
		withYAML("socket_group: nogroup\nsocket_mode: \"0660\"\n"))
	eventually(t, 10*time.Second, "the disk listed", func() bool { return len(d.list()) == 1 })
	fi, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); fi.Mode().Perm() != 0o660 || st.Gid != nogroup {
		t.Errorf("socket mode %04o group %d, want 0660 and nogroup (%d)", fi.Mode().Perm(), st.Gid, nogroup)
	}
	as := func(uid, gid uint32) (string, string, int) {
		cmd := exec.Command(client, "--socket", sock, "list")
		cmd.Env = []string{"HOME=/nonexistent", "PATH=/usr/bin:/bin"}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid, Groups: []uint32{}}}
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), errb.String(), code
	}
	if out, errs, code := as(nobody, nogroup); code != 0 || !strings.Contains(out, "shared") {
		t.Errorf("list as nobody (group nogroup): exit %d, %q %q; want the disk", code, out, errs)
	}
	out, errs, code := as(daemonUID, daemonGID)
	if code == 0 {
		t.Fatalf("list as daemon: exit 0, %q; want a refusal", out)
	}
	for _, want := range []string{"permission denied", "mode Srw-rw----", ":nogroup", "sudo"} {
		if !strings.Contains(errs, want) {
			t.Errorf("refusal for daemon: %q, want it to mention %q", errs, want)
		}
	}
}

// lookupIDs finds nobody, nogroup and daemon, present on Debian; the test
// creates no users.
func lookupIDs(t *testing.T) (nobody, nogroup, daemonUID, daemonGID uint32) {
	t.Helper()
	id := func(args ...string) uint32 {
		out, err := exec.Command("id", args...).Output()
		if err != nil {
			t.Skipf("id %v: %v: the users nobody and daemon and the group nogroup are needed", args, err)
		}
		var v uint32
		for _, c := range strings.TrimSpace(string(out)) {
			v = v*10 + uint32(c-'0')
		}
		return v
	}
	out, err := exec.Command("getent", "group", "nogroup").Output()
	if err != nil {
		t.Skip("no group nogroup on this host")
	}
	fields := strings.Split(strings.TrimSpace(string(out)), ":")
	var gid uint32
	for _, c := range fields[2] {
		gid = gid*10 + uint32(c-'0')
	}
	if id("-g", "nobody") != gid {
		t.Skip("user nobody's primary group is not nogroup")
	}
	return id("-u", "nobody"), gid, id("-u", "daemon"), id("-g", "daemon")
}

func copyFile(from, to string, mode os.FileMode) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, mode)
}

// The unit's capability bound is enough, and needed: a root daemon under
// setpriv with only CAP_DAC_READ_SEARCH and CAP_CHOWN (and no new
// privileges) starts, gives its socket to nogroup and answers; without
// CAP_CHOWN the same start fails on socket_group, saying so.
func TestService_CapabilityBound(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the test bounds root's capabilities as the unit does")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("setpriv (util-linux) is not installed")
	}
	_, nogroup, _, _ := lookupIDs(t)
	dir := t.TempDir()
	blkid := filepath.Join(dir, "blkid.txt")
	if err := os.WriteFile(blkid, []byte(exportDisk("/dev/sda1", uuidFor(9, 1), "bounded", "ext4")), 0o600); err != nil {
		t.Fatal(err)
	}
	c := config.Fast() // multicast on lo
	c.Node, c.Socket = "bounded", filepath.Join(dir, "s")
	c.Multicast.Port = freeUDPPort(t)
	c.Blkid.Command = []string{"cat", blkid}
	c.SocketGroup, c.SocketMode = "nogroup", "0660"
	y, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgFile, y, 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(caps string) (*exec.Cmd, *strings.Builder) {
		cmd := exec.Command(setpriv, "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all"+caps,
			"--no-new-privs", bin, "daemon", "--config", cfgFile)
		cmd.Env = append(os.Environ(), "HOME="+dir)
		var log strings.Builder
		cmd.Stdout, cmd.Stderr = &log, &log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &log
	}

	cmd, log := run(",+dac_read_search,+chown")
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			cmd.Process.Kill()
			<-exited
		}
	}()
	eventually(t, 15*time.Second, "the bounded daemon lists its disk", func() bool {
		out, _, code := runClient(t, "--socket", c.Socket, "list")
		return code == 0 && strings.Contains(out, "bounded")
	})
	fi, err := os.Stat(c.Socket)
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Gid != nogroup || fi.Mode().Perm() != 0o660 {
		t.Errorf("socket group %d mode %04o, want nogroup (%d) and 0660", st.Gid, fi.Mode().Perm(), nogroup)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Errorf("bounded daemon: %v\n%s", err, log)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("the bounded daemon did not stop\n%s", log)
	}

	cmd, log = run(",+dac_read_search")
	err = cmd.Wait()
	if err == nil || !strings.Contains(log.String(), "socket_group: chown") || !strings.Contains(log.String(), "operation not permitted") {
		t.Errorf("without CAP_CHOWN: %v\n%s\nwant a socket_group chown refusal", err, log)
	}
}
