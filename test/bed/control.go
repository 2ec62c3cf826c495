package bed

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"time"

	"golang.org/x/net/ipv4"
)

// pin is the CPU list the host's daemon runs on, or "".
func (h *Host) pin() string {
	if h.hopts.Pin != "" {
		return h.hopts.Pin
	}
	if h.bed.opts.Pin != nil {
		return h.bed.opts.Pin(h.Index)
	}
	return ""
}

// Cmd returns the current (or last) daemon process, nil before the first
// Start. Its ProcessState may be read only once Exited is closed.
func (h *Host) Cmd() *exec.Cmd {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cmd
}

// Exited returns a channel closed when the current (or last) daemon
// process has ended; nil before the first Start.
func (h *Host) Exited() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.exited
}

// Signal sends sig to the running daemon without waiting (see Exited and
// Wait); it does nothing when no daemon runs.
func (h *Host) Signal(sig os.Signal) error {
	h.mu.Lock()
	cmd, exited := h.cmd, h.exited
	h.mu.Unlock()
	if cmd == nil || closed(exited) {
		return nil
	}
	if err := cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("%s: %v: %w", h.Name, sig, err)
	}
	return nil
}

// Wait waits up to timeout for the daemon process to end by itself (a
// daemon expected to refuse to start, or one sent a Signal) and returns
// its exit error (nil for status 0). It fails if no process was started or
// it is still running at the timeout.
func (h *Host) Wait(timeout time.Duration) error {
	exited := h.Exited()
	if exited == nil {
		return fmt.Errorf("%s: %w", h.Name, errStopped)
	}
	select {
	case <-exited:
		return h.ExitErr()
	case <-time.After(timeout):
		return fmt.Errorf("%s: still running after %v", h.Name, timeout)
	}
}

// ExitCode is the exit status of the last daemon process once it has
// ended: 0, the status it exited with, or -1 (killed by a signal, or not
// ended).
func (h *Host) ExitCode() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cmd == nil || !closed(h.exited) || h.cmd.ProcessState == nil {
		return -1
	}
	return h.cmd.ProcessState.ExitCode()
}

// WriteBlkid replaces what the host's fake blkid prints with text, as is
// (a fixture in `blkid -o export` form, odd or broken as the test needs);
// the mount table is not changed and Disks no longer describes the host.
// The file is replaced atomically.
func (h *Host) WriteBlkid(text string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := writeAtomic(h.BlkidFile, text); err != nil {
		return err
	}
	h.disks = nil
	return nil
}

// Log returns the daemon's whole log (every run of it), or "" when there
// is none yet.
func (h *Host) Log() string {
	b, _ := os.ReadFile(h.LogFile)
	return string(b)
}

// FreeUDPPort returns a UDP port nobody uses on 127.0.0.1 now.
func FreeUDPPort() (int, error) {
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}

// Send sends one datagram to the bed's group and port on lo, as a stranger
// on the host would (lo mode only: nothing else can reach the daemons from
// the test process). The multicast TTL is 0: it never leaves the host.
func (b *Bed) Send(datagram []byte) error {
	if b.opts.Mode != Lo {
		return fmt.Errorf("bed: Send needs lo mode")
	}
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer c.Close()
	p := ipv4.NewPacketConn(c)
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		return err
	}
	if err := p.SetMulticastInterface(lo); err != nil {
		return err
	}
	if err := p.SetMulticastTTL(0); err != nil {
		return err
	}
	p.SetMulticastLoopback(true)
	_, err = p.WriteTo(datagram, nil, &net.UDPAddr{IP: net.ParseIP(b.Group), Port: b.Port})
	return err
}
