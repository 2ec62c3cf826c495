package test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// notifyListener is systemd's side of $NOTIFY_SOCKET: every datagram the
// daemon sends, in order.
func notifyListener(t *testing.T) (path string, got <-chan string) {
	t.Helper()
	return notifyListenerAt(t, filepath.Join(t.TempDir(), "notify"))
}

// notifyListenerAt listens at path, which may be abstract ("@name").
func notifyListenerAt(t *testing.T, path string) (string, <-chan string) {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan string, 1000)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			select {
			case ch <- string(buf[:n]):
			default: // a test that stopped reading
			}
		}
	}()
	t.Cleanup(func() { c.Close(); <-done })
	return path, ch
}

// next waits for the next datagram that starts with prefix, skipping others.
func next(t *testing.T, got <-chan string, prefix string) string {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case m := <-got:
			if strings.HasPrefix(m, prefix) {
				return m
			}
		case <-deadline:
			t.Fatalf("no notification starting with %q within 15s", prefix)
		}
	}
}

// A daemon run with $NOTIFY_SOCKET says READY=1 only after its first blkid
// run, pets the watchdog at half of WATCHDOG_USEC, reports a reload, and
// says STOPPING=1 on SIGTERM.
func TestService_NotifyReadyWatchdogStopping(t *testing.T) {
	path, got := notifyListener(t)
	n := newNetwork(t)
	// A blkid that takes a moment: READY=1 must wait for it.
	blkid := filepath.Join(t.TempDir(), "slow-blkid")
	if err := os.WriteFile(blkid, []byte("#!/bin/sh\nsleep 0.3\nprintf 'DEVNAME=/dev/sdz1\\nUUID=5e7a1a2b-0000-4000-8000-000000000001\\nLABEL=svc\\nTYPE=ext4\\n\\n'\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	d := n.start("svc", "", withBlkidCommand(blkid), func(o *bed.HostOptions) {
		o.Env = append(o.Env, "NOTIFY_SOCKET="+path, "WATCHDOG_USEC=400000")
	})
	first := next(t, got, "STATUS=")
	if !strings.Contains(first, "listening on "+d.socket) || !strings.Contains(first, "waiting for the first blkid run") {
		t.Errorf("first notification %q, want the socket and the wait for blkid", first)
	}
	ready := next(t, got, "READY=1")
	if !strings.Contains(ready, "\nSTATUS=running") {
		t.Errorf("readiness %q, want a STATUS=running line with it", ready)
	}
	// Ready means the first scan is in: the disk is listed at once.
	if disks := d.list(); len(disks) != 1 || disks[0].Label != "svc" {
		t.Errorf("at READY=1 the list is %+v, want the disk of the first blkid run", disks)
	}
	for range 3 {
		next(t, got, "WATCHDOG=1")
	}
	if err := d.host.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	next(t, got, "RELOADING=1")
	next(t, got, "READY=1")
	d.stop()
	next(t, got, "STOPPING=1")
}

// systemd may name an abstract socket (a leading '@'): READY=1 arrives
// there too.
func TestService_NotifyAbstractSocket(t *testing.T) {
	path, got := notifyListenerAt(t, fmt.Sprintf("@diskd-actors-test-%d-%d", os.Getpid(), time.Now().UnixNano()))
	n := newNetwork(t)
	n.start("abstract", exportDisk("/dev/sda1", uuidFor(8, 1), "abs", "ext4"), func(o *bed.HostOptions) {
		o.Env = append(o.Env, "NOTIFY_SOCKET="+path)
	})
	next(t, got, "READY=1")
}

// The unit file passes systemd-analyze verify. verify checks that
// ExecStart's program exists, so a copy is verified with ExecStart pointing
// at the binary the tests built; every other line is the repository's.
func TestService_UnitVerifies(t *testing.T) {
	tool, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed (apt-get install systemd): cannot verify diskd-actors.service")
	}
	unit, err := os.ReadFile("../diskd-actors.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Type=notify", "WatchdogSec=", "ExecReload=", "RuntimeDirectory=diskd-actors",
		"StateDirectory=diskd-actors", "ProtectSystem=strict", "ProtectHome=yes", "NoNewPrivileges=yes", "PrivateTmp=yes",
		"CapabilityBoundingSet=CAP_DAC_READ_SEARCH CAP_CHOWN", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
		"ExecStart=/usr/local/bin/diskd-actors daemon"} {
		if !strings.Contains(string(unit), want) {
			t.Errorf("diskd-actors.service lacks %q", want)
		}
	}
	copied := strings.Replace(string(unit), "ExecStart=/usr/local/bin/diskd-actors ", "ExecStart="+bin+" ", 1)
	path := filepath.Join(t.TempDir(), "diskd-actors.service")
	if err := os.WriteFile(path, []byte(copied), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "verify", path).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

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

// rewriteConfig loads the daemon's configuration file, changes it with f
// and writes it back (0600: it holds keys).
func rewriteConfig(t *testing.T, d *daemon, f func(*config.Config)) {
	t.Helper()
	c, err := config.Load(d.cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	f(c)
	y, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(d.cfgFile, y, 0o600); err != nil {
		t.Fatal(err)
	}
}

const serviceKey = "c2VydmljZS10ZXN0LWtleS0wMTIzNDU2Nzg5YWJjZGVm"

// SIGHUP applies a new key and a new blkid interval live: the keyed peer
// and this daemon hear each other from then on, a disk changed since is
// found by the faster rescans, the no-keys warning leaves status, and a
// changed port is named as needing a restart (and not applied).
func TestService_ReloadKeyAndInterval(t *testing.T) {
	n := newNetwork(t)
	hourly := func(o *bed.HostOptions) {
		configure(o, func(c *config.Config) { c.Blkid.Interval = time.Hour })
	}
	a := n.start("alpha", exportDisk("/dev/sda1", uuidFor(3, 1), "before", "ext4"), hourly)
	b := n.start("beta", exportDisk("/dev/sda1", uuidFor(4, 1), "keyed", "ext4"), func(o *bed.HostOptions) {
		o.Keys = []string{serviceKey}
	})
	eventually(t, 10*time.Second, "alpha refuses beta's signed datagrams", func() bool { return a.drops()["unverifiable"] > 0 })
	warnings, _ := a.status()["warnings"].([]any)
	if len(warnings) != 1 || !strings.Contains(warnings[0].(string), "no auth keys") {
		t.Fatalf("alpha's status warnings: %v, want the no-keys warning", warnings)
	}
	if countNode(b.list(), "alpha") != 0 {
		t.Fatal("beta lists alpha's disks before alpha has the key")
	}
	// The next scan would find another disk; at 1h it never comes.
	if err := os.WriteFile(a.blkid, []byte(exportDisk("/dev/sdb1", uuidFor(3, 2), "after", "ext4")), 0o600); err != nil {
		t.Fatal(err)
	}
	rewriteConfig(t, a, func(c *config.Config) {
		c.Auth.Keys = []string{serviceKey}
		c.Blkid.Interval = 200 * time.Millisecond
		c.Multicast.Port++
	})
	if err := a.host.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "alpha finds the new disk at the new interval", func() bool {
		return hasLabel(a.list(), "after")
	})
	eventually(t, 10*time.Second, "beta lists alpha's disk: alpha signs with the key", func() bool { return countNode(b.list(), "alpha") == 1 })
	eventually(t, 10*time.Second, "alpha lists beta's disk: alpha verifies with the key", func() bool { return countNode(a.list(), "beta") == 1 })
	if w, ok := a.status()["warnings"]; ok {
		t.Errorf("alpha's status warnings with a key: %v, want none", w)
	}
	log := a.logText()
	for _, want := range []string{"multicast.port: restart needed", "configuration reloaded", "applied=\"blkid.interval auth.keys\""} {
		if !strings.Contains(log, want) {
			t.Errorf("alpha's log lacks %q:\n%s", want, a.host.LogTail(20))
		}
	}
}

func hasLabel(disks []disk, label string) bool {
	for _, d := range disks {
		if d.Label == label {
			return true
		}
	}
	return false
}

// A configuration that does not validate, or that holds inline keys in a
// file others may read, is refused on SIGHUP with a clear log line; the
// daemon keeps running on the old one. At start the same file is refused,
// and `config` never prints the keys.
func TestService_RefusalsAndRedaction(t *testing.T) {
	n := newNetwork(t)
	a := n.start("alpha", exportDisk("/dev/sda1", uuidFor(5, 1), "kept", "ext4"))
	eventually(t, 10*time.Second, "alpha lists its disk", func() bool { return len(a.list()) == 1 })

	good, err := os.ReadFile(a.cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(good), "announce:\n  interval: 1s", "announce:\n  interval: 1ms", 1)
	if bad == string(good) {
		t.Fatalf("the bed's configuration has no announce interval of 1s:\n%s", good)
	}
	if err := os.WriteFile(a.cfgFile, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := a.host.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the invalid reload refused in the log", func() bool {
		l := a.logText()
		return strings.Contains(l, "reload refused; keeping the running configuration") && strings.Contains(l, "announce.interval")
	})

	if err := os.WriteFile(a.cfgFile, good, 0o600); err != nil {
		t.Fatal(err)
	}
	rewriteConfig(t, a, func(c *config.Config) { c.Auth.Keys = []string{serviceKey} })
	if err := os.Chmod(a.cfgFile, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := a.host.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the readable inline keys refused in the log", func() bool {
		return strings.Contains(a.logText(), "chmod 600 "+a.cfgFile)
	})
	if strings.Contains(a.logText(), serviceKey) {
		t.Errorf("the log quotes the key")
	}
	if n := strings.Count(a.logText(), "no auth keys configured"); n != 1 {
		t.Errorf("the no-keys warning logged %d times, want once (at start)", n)
	}
	if !a.running() || len(a.list()) != 1 {
		t.Fatalf("alpha after refused reloads: running %v", a.running())
	}
	if _, ok := a.status()["warnings"]; !ok {
		t.Errorf("the refused keys were applied: status has no no-keys warning")
	}

	// The same file at start: refused, naming the file and chmod 600.
	cmd := exec.Command(bin, "daemon", "--config", a.cfgFile, "--socket", filepath.Join(t.TempDir(), "s2"))
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), a.cfgFile) || !strings.Contains(string(out), "chmod 600") {
		t.Errorf("start with readable inline keys: %v, %q; want a refusal naming the file and chmod 600", err, out)
	}
	// config shows no key material.
	if err := os.Chmod(a.cfgFile, 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runClient(t, "config", "--config", a.cfgFile)
	if code != 0 || strings.Contains(stdout, serviceKey) || !strings.Contains(stdout, "<redacted: 1 key>") {
		t.Errorf("config: exit %d, %q %q; want the key redacted", code, stdout, stderr)
	}
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
