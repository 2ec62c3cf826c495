package test

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A raw session: greeting, framed answers, garbage and very long lines
// survived, quit closes.
func TestSession_RawProtocol(t *testing.T) {
	t.Parallel()
	d := newNetwork(t).start("solo", exportDisk("/dev/sda1", uuidFor(0, 1), "root", "ext4"))
	eventually(t, 5*time.Second, "local disk listed", func() bool { return len(d.list()) == 1 })
	s := d.dialRaw()
	if g := s.line(); !strings.HasPrefix(g, "diskd-actors ") || !strings.Contains(g, "solo") {
		t.Fatalf("greeting %q, want it to name the program and the node", g)
	}
	lines, status := s.send("help\n")
	if status != ".ok" || len(lines) < 5 {
		t.Errorf("help: %d lines, status %q", len(lines), status)
	}
	lines, status = s.send("list\n")
	if status != ".ok 1 disk" || len(lines) != 2 || !strings.Contains(lines[1], "root") {
		t.Errorf("list: %q %q", lines, status)
	}
	_, status = s.send("\x00\xff\xfe garbage \x1b[31m\n")
	if !strings.HasPrefix(status, ".err unknown-command") {
		t.Errorf("garbage: status %q, want .err unknown-command", status)
	}
	_, status = s.send(strings.Repeat("x", 100_000) + "\n")
	if !strings.HasPrefix(status, ".err too-long") {
		t.Errorf("100 kB line: status %q, want .err too-long", status)
	}
	_, status = s.send("where \"unterminated\n")
	if !strings.HasPrefix(status, ".err usage") {
		t.Errorf("unterminated quote: status %q, want .err usage", status)
	}
	lines, status = s.send("list --json\r\n")
	var disks []disk
	if status != ".ok 1 disk" || len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &disks) != nil || len(disks) != 1 {
		t.Errorf("list --json with CRLF: %q %q", lines, status)
	}
	_, status = s.send("localhost\n")
	if status != ".ok" {
		t.Errorf("localhost: %q", status)
	}
	_, status = s.send("_panic\n")
	if !strings.HasPrefix(status, ".err usage") {
		t.Errorf("_panic without a part (test build): %q", status)
	}
	_, status = s.send("quit\n")
	if status != ".ok bye" {
		t.Errorf("quit: %q, want .ok bye", status)
	}
	s.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if b, err := s.r.ReadByte(); err == nil {
		t.Errorf("after quit the daemon sent %q, want EOF", b)
	}
	// Another session still works, and the daemon is unharmed.
	if got := d.list(); len(got) != 1 {
		t.Errorf("after the raw session: %d disks, want 1", len(got))
	}
}

// socat and nc -U, the tools named in the README, get a greeting and
// answers to commands typed by hand.
func TestSession_SocatAndNetcat(t *testing.T) {
	t.Parallel()
	d := newNetwork(t).start("tools", exportDisk("/dev/sda1", uuidFor(0, 1), "root", "ext4"))
	eventually(t, 5*time.Second, "local disk listed", func() bool { return len(d.list()) == 1 })
	tools := [][]string{{"socat", "-", "UNIX-CONNECT:" + d.socket}, {"nc", "-U", d.socket}}
	for _, argv := range tools {
		if _, err := exec.LookPath(argv[0]); err != nil {
			t.Errorf("%s is not installed (.ci/run installs it): %v", argv[0], err)
			continue
		}
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdin = strings.NewReader("list\nwhere root\nquit\n")
		var out bytes.Buffer
		cmd.Stdout = &out
		done := make(chan error, 1)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s: %v", argv[0], err)
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Errorf("%s did not finish: the daemon did not close after quit", argv[0])
		}
		got := out.String()
		for _, want := range []string{"diskd-actors ", "root", ".ok 1 disk", ".ok on tools", ".ok bye"} {
			if !strings.Contains(got, want) {
				t.Errorf("%s output lacks %q:\n%s", argv[0], want, got)
			}
		}
	}
}

// The client's exit codes and messages.
func TestClient_ExitCodes(t *testing.T) {
	t.Parallel()
	d := newNetwork(t).start("codes", exportDisk("/dev/sda1", uuidFor(0, 1), "root", "ext4"))
	eventually(t, 5*time.Second, "local disk listed", func() bool { return len(d.list()) == 1 })
	cases := []struct {
		args        []string
		code        int
		out, stderr string
	}{
		{[]string{"list"}, 0, "root", ""},
		{[]string{"where", "root"}, 0, "codes", ""},
		{[]string{"where", "nothing"}, 1, "", "no disk matches"},
		{[]string{"frobnicate"}, 2, "", "unknown command"},
		{[]string{"where"}, 2, "", "where takes one"},
		{[]string{"--json", "where", "nothing"}, 1, `"matches":[]`, "no disk matches"},
	}
	for _, c := range cases {
		out, errs, code := d.client(c.args...)
		if code != c.code || !strings.Contains(out, c.out) || !strings.Contains(errs, c.stderr) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d, stdout ~%q, stderr ~%q", c.args, code, out, errs, c.code, c.out, c.stderr)
		}
	}
	out, errs, code := runClient(t, "--socket", filepath.Join(t.TempDir(), "none"), "list")
	if code != 3 || !strings.Contains(errs, "not running") {
		t.Errorf("no daemon: exit %d, stdout %q, stderr %q; want exit 3 and 'not running'", code, out, errs)
	}
}

// A second daemon on a live socket exits non-zero and leaves the first
// alone; a stale socket file is replaced; SIGTERM removes the socket.
func TestDaemon_SocketOwnership(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	d := n.start("first", exportDisk("/dev/sda1", uuidFor(0, 1), "root", "ext4"))
	eventually(t, 5*time.Second, "local disk listed", func() bool { return len(d.list()) == 1 })

	cmd := exec.Command(bin, "daemon", "--socket", d.socket, "--interface", "lo", "--port", "1", "--node", "second")
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() == 0 {
		t.Fatalf("second daemon on a live socket: %v, want a non-zero exit; output %s", err, out)
	}
	if !strings.Contains(string(out), "another daemon") {
		t.Errorf("second daemon's message %q lacks 'another daemon'", out)
	}
	if got := d.list(); len(got) != 1 {
		t.Errorf("first daemon after the attempt: %d disks, want 1", len(got))
	}

	// A stale socket: a listener that went away without removing its file.
	stale := filepath.Join(t.TempDir(), "stale.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: stale, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()
	d2 := n.start("restale", "", withSocket(stale),
		withArgs("daemon", "--socket", stale, "--interface", "lo", "--port", "1", "--node", "restale"))
	fi, err := os.Stat(stale)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode: %v %v, want 0600", fi, err)
	}
	if err := d2.host.Stop(); err != nil {
		t.Errorf("daemon after SIGTERM: %v, want exit 0 and its socket removed", err)
	}
	if _, err := os.Lstat(stale); !os.IsNotExist(err) {
		t.Errorf("socket still there after SIGTERM: %v", err)
	}
}
