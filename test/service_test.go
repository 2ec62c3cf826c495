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
