package test

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// The interactive client in a pseudo-terminal: greeting, prompt, a command,
// tab completion, Ctrl-C cancels the line, Ctrl-D leaves with exit 0 and
// the history is saved.
func TestClient_InteractiveInPTY(t *testing.T) {
	t.Parallel()
	d := newNetwork(t).start("tty", exportDisk("/dev/sda1", uuidFor(0, 1), "ttydisk", "ext4"))
	eventually(t, 5*time.Second, "local disk listed", func() bool { return len(d.list()) == 1 })
	home := t.TempDir()
	cmd := exec.Command(bin, "--socket", d.socket)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_STATE_HOME=", "TERM=xterm")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	var mu sync.Mutex
	var screen bytes.Buffer
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			mu.Lock()
			screen.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	seen := func() string { mu.Lock(); defer mu.Unlock(); return screen.String() }
	waitFor := func(what string) {
		t.Helper()
		eventually(t, 10*time.Second, "screen shows "+what, func() bool { return strings.Contains(seen(), what) })
	}
	waitFor("diskd> ")
	if !strings.Contains(seen(), "diskd-actors ") {
		t.Errorf("no greeting on screen: %q", seen())
	}
	io.WriteString(tty, "list\r")
	waitFor("ttydisk")
	io.WriteString(tty, "loc\t")
	waitFor("localhost")
	io.WriteString(tty, "\r")
	waitFor("instance:")
	io.WriteString(tty, "this line is cancelled\x03")
	io.WriteString(tty, "where ttydisk\r")
	waitFor("tty ")
	if strings.Contains(seen(), "unknown command") {
		t.Errorf("Ctrl-C did not cancel the line: %q", seen())
	}
	io.WriteString(tty, "\x04")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("client after Ctrl-D: %v, want exit 0\n%s", err, seen())
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("client did not exit on Ctrl-D\n%s", seen())
	}
	hist, err := os.ReadFile(filepath.Join(home, ".local", "state", "diskd-actors", "history"))
	if err != nil || !strings.Contains(string(hist), "where ttydisk") {
		t.Errorf("history file: %q, %v; want it to hold the commands", hist, err)
	}
}

// Commands piped into the client are run line by line, without prompts.
func TestClient_PipedCommands(t *testing.T) {
	t.Parallel()
	d := newNetwork(t).start("pipe", exportDisk("/dev/sda1", uuidFor(0, 1), "pipedisk", "ext4"))
	eventually(t, 5*time.Second, "local disk listed", func() bool { return len(d.list()) == 1 })
	cmd := exec.Command(bin, "--socket", d.socket)
	cmd.Stdin = strings.NewReader("list\nwhere pipedisk\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("piped client: %v", err)
	}
	if strings.Contains(string(out), "diskd>") || strings.Count(string(out), "pipedisk") != 2 {
		t.Errorf("piped client output %q: want two answers naming pipedisk and no prompt", out)
	}
}

// The README's demo: three daemons on loopback find each other's disks.
func TestDemo_Converges(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(bin, "demo", "--check", "--nodes", "3", "--port", itoa(freeUDPPort(t)), "--dir", t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("demo --check: %v\n%s", err, out)
	}
	for _, want := range []string{"every daemon lists all 6 disks", "demo3", `"backup 3"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
