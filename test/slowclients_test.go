package test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/test/bed"
)

// 200 clients that never read: half stream debug while a peer's 1,000 disks
// arrive (their events overflow and are dropped and counted), half flood
// commands whose answers fill their sockets. The daemon keeps answering a
// normal client, and SIGTERM stops it at once: every slow client then sees
// its connection closed.
func TestSession_200SlowClientsDoNotBlockTheDaemon(t *testing.T) {
	t.Parallel()
	const debugClients, floodClients, peerDisks = 100, 100, 1000
	b := bed.New(t, bed.Options{Hosts: 2, Bin: bin, DeferStart: true, Disks: func(i int) []bed.Disk {
		if i == 1 {
			return bed.Disks(i, peerDisks)
		}
		return bed.Disks(i, 2)
	}})
	h, peer := b.Hosts[0], b.Hosts[1]
	if err := h.Start(); err != nil {
		t.Fatal(err)
	}
	if err := h.WaitReady(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	var slow []net.Conn
	for i := range debugClients + floodClients {
		c, err := net.DialTimeout("unix", h.Socket, 10*time.Second)
		if err != nil {
			t.Fatalf("slow client %d: %v", i, err)
		}
		defer c.Close()
		send := "debug\n"
		if i >= debugClients {
			send = strings.Repeat("help\n", 400) // more answers than a socket holds
		}
		c.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.WriteString(c, send); err != nil {
			t.Fatalf("slow client %d: %v", i, err)
		}
		slow = append(slow, c)
	}
	eventually(t, 60*time.Second, "every debug client subscribed", func() bool {
		st, err := h.Status()
		return err == nil && st.Sessions.Debug == debugClients
	})
	if err := peer.Start(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 60*time.Second, "the peer's disks arrive and a normal client is answered", func() bool {
		c, err := h.Dial()
		if err != nil {
			return false
		}
		defer c.Close()
		n, err := bed.ListCount(c)
		return err == nil && n == peerDisks+2
	})
	eventually(t, 60*time.Second, "every flooder's answer waiting", func() bool {
		st, err := h.Status()
		if err != nil {
			t.Fatalf("status with 200 slow clients: %v", err)
		}
		return st.Sessions.Writing+int64(st.Sessions.SlowClients) >= floodClients
	})
	st, err := h.Status()
	if err != nil {
		t.Fatal(err)
	}
	// Whether events were dropped depends on the kernel's socket buffers
	// (1,000 events overflow the defaults); the unit tests pin the drops.
	t.Logf("before stop: %+v", st.Sessions)
	t0 := time.Now()
	if err := h.Stop(); err != nil { // SIGTERM, bounded by the bed
		t.Fatalf("stop with 200 slow clients: %v", err)
	}
	t.Logf("SIGTERM to exit: %v", time.Since(t0))
	for i, c := range slow {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.Copy(io.Discard, c); err != nil {
			t.Errorf("slow client %d after stop: %v, want the connection closed", i, err)
		}
	}
}

// A second daemon on a socket that a daemon holds exits with status 2,
// naming the lock file and the holder's PID, and leaves the socket alone:
// the first keeps serving on it.
func TestSession_SecondDaemonOnTheSocketExits2(t *testing.T) {
	t.Parallel()
	b := bed.New(t, bed.Options{Hosts: 1, Bin: bin})
	h := b.Hosts[0]
	before, err := os.Lstat(h.Socket)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	second := exec.CommandContext(ctx, bin, "daemon", "--config", h.ConfigFile)
	second.Dir, second.Env = h.Dir, append(os.Environ(), "HOME="+h.Dir)
	var stderr bytes.Buffer
	second.Stderr = &stderr
	err = second.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("second daemon: got %v, want exit status 2\n%s", err, stderr.String())
	}
	for _, want := range []string{h.Socket + ".lock", "process " + strconv.Itoa(h.PID())} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("second daemon's message %q does not name %q", stderr.String(), want)
		}
	}
	if after, err := os.Lstat(h.Socket); err != nil || !os.SameFile(before, after) {
		t.Fatalf("the second daemon touched the first one's socket: %v", err)
	}
	if a, err := h.Query("list"); err != nil || !a.OK() {
		t.Errorf("the first daemon after the second tried: %v %+v", err, a)
	}
}
