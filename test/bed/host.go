package bed

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Host is one simulated machine: a directory with the daemon's
// configuration, socket, fake blkid output, mount table and log, and (in
// netns mode) a network namespace with its own veth. Its methods are safe
// for concurrent use.
type Host struct {
	Index int
	Name  string // the node name
	Dir   string
	// Socket is the daemon's Unix socket. In netns mode it is still a file
	// in Dir: the test process reaches it from outside the namespace.
	Socket     string
	BlkidFile  string // what the fake blkid (`cat`) prints
	MountsFile string // the mount table (mounts.file)
	ConfigFile string
	LogFile    string // the daemon's stdout and stderr, appended across restarts
	// Iface is the interface the daemon multicasts on: lo, or the veth
	// inside the host's namespace.
	Iface string
	// NS is the host's network namespace (netns mode), else "".
	NS string
	// Addr is the host's IPv4 address in netns mode, else "".
	Addr string
	// Addr6 is the host's IPv6 address (netns mode with Options.IPv6),
	// else "".
	Addr6 string

	bed       *Bed
	hopts     HostOptions
	ownMounts bool // MountsFile is the test's: ChangeDisks leaves it alone

	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{} // closed when cmd has been waited for
	waitErr error
	started time.Time
	disks   []Disk
}

// Start starts the daemon process and returns once it is started, without
// waiting for its socket (see WaitReady).
func (h *Host) Start() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cmd != nil && !closed(h.exited) {
		return fmt.Errorf("%s: already running (pid %d)", h.Name, h.cmd.Process.Pid)
	}
	logf, err := os.OpenFile(h.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close() // the child has its own copy
	args := []string{"daemon", "--config", h.ConfigFile}
	if len(h.hopts.Args) > 0 {
		args = slices.Clone(h.hopts.Args)
	}
	argv := append([]string{h.bed.Bin}, args...)
	if pin := h.pin(); pin != "" {
		// taskset execs the daemon in place: the pid is the daemon's.
		argv = append([]string{"taskset", "-c", pin}, argv...)
	}
	if h.NS != "" {
		// ip netns exec execs the daemon in place too.
		argv = append([]string{"ip", "netns", "exec", h.NS}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = h.Dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(append(os.Environ(), "HOME="+h.Dir), h.hopts.Env...)
	// If the test process dies, its daemons die with it; they never
	// outlive the bed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := os.Remove(h.Socket); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %w", h.Name, err)
	}
	exited := make(chan struct{})
	h.cmd, h.exited, h.waitErr, h.started = cmd, exited, nil, time.Now()
	go func() {
		err := cmd.Wait()
		h.mu.Lock()
		h.waitErr = err
		h.mu.Unlock()
		close(exited)
	}()
	return nil
}

// WaitReady waits until the daemon answers on its socket with a greeting.
func (h *Host) WaitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		h.mu.Lock()
		exited := h.exited
		h.mu.Unlock()
		if exited == nil {
			return fmt.Errorf("%s: %w", h.Name, errStopped)
		}
		if closed(exited) {
			return fmt.Errorf("%s exited early: %v\n%s", h.Name, h.ExitErr(), h.LogTail(20))
		}
		if c, err := Dial(h.Socket, time.Second); err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer on %s within %v\n%s", h.Name, h.Socket, timeout, h.LogTail(20))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Running reports whether the daemon process is running.
func (h *Host) Running() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.exited != nil && !closed(h.exited)
}

// hasExited reports whether a daemon process was started and has ended.
func (h *Host) hasExited() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return closed(h.exited)
}

// PID returns the daemon's process id, or 0 when it is not running.
func (h *Host) PID() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cmd == nil || closed(h.exited) {
		return 0
	}
	return h.cmd.Process.Pid
}

// Started returns when the current (or last) daemon process was started.
func (h *Host) Started() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.started
}

// ExitErr returns the error of the last daemon process's exit (nil for
// exit status 0, or while it runs).
func (h *Host) ExitErr() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.waitErr
}

// signal sends sig to the daemon and waits up to wait for it to exit.
func (h *Host) signal(sig syscall.Signal, wait time.Duration) error {
	h.mu.Lock()
	cmd, exited := h.cmd, h.exited
	h.mu.Unlock()
	if cmd == nil || closed(exited) {
		return nil
	}
	if err := cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("%s: %v: %w", h.Name, sig, err)
	}
	select {
	case <-exited:
		return nil
	case <-time.After(wait):
		return fmt.Errorf("%s: still running %v after %v", h.Name, wait, sig)
	}
}

// KillHard ends the daemon with SIGKILL, as a crash or a power cut would:
// no goodbye, no final save. It returns once the process is gone.
func (h *Host) KillHard() error {
	return h.signal(syscall.SIGKILL, 10*time.Second)
}

// Stop ends the daemon with SIGTERM and waits for it. It reports a daemon
// that needs SIGKILL after 10 s, exits with a failure, or leaves its socket
// behind. Stopping a stopped host does nothing.
func (h *Host) Stop() error {
	if !h.Running() {
		return nil
	}
	if err := h.signal(syscall.SIGTERM, 10*time.Second); err != nil {
		h.KillHard()
		return fmt.Errorf("%w; killed\n%s", err, h.LogTail(20))
	}
	if err := h.ExitErr(); err != nil {
		return fmt.Errorf("%s exited with %v after SIGTERM\n%s", h.Name, err, h.LogTail(20))
	}
	if _, err := os.Lstat(h.Socket); err == nil {
		return fmt.Errorf("%s left its socket %s behind", h.Name, h.Socket)
	}
	return nil
}

// Restart starts the daemon again with the same configuration (and the
// disks last set) after Stop or KillHard, and waits until it answers. A
// running daemon is killed first.
func (h *Host) Restart() error {
	if h.Running() {
		if err := h.KillHard(); err != nil {
			return err
		}
	}
	if err := h.Start(); err != nil {
		return err
	}
	return h.WaitReady(h.bed.opts.StartTimeout)
}

// ChangeDisks replaces what the host's fake blkid prints and its mount
// table (unless the host has a mount table of the test's, see
// HostOptions.MountsFile); the daemon sees the change at its next scan, or at once with
// Refresh. The files are replaced atomically (rename), so a scan never
// reads half a list.
func (h *Host) ChangeDisks(disks []Disk) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := writeAtomic(h.BlkidFile, ExportFormat(disks)); err != nil {
		return err
	}
	if !h.ownMounts {
		if err := writeAtomic(h.MountsFile, mountTable(disks)); err != nil {
			return err
		}
	}
	h.disks = slices.Clone(disks)
	return nil
}

// Disks returns the disks last given to ChangeDisks (or the initial ones).
func (h *Host) Disks() []Disk {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.disks)
}

// Refresh asks the daemon to run blkid now (the refresh command) and
// returns once the result is applied and, if it changed, announced. It
// fails if the command does not answer ".ok".
func (h *Host) Refresh() error {
	a, err := h.Query("refresh")
	if err != nil {
		return err
	}
	if !a.OK() {
		return fmt.Errorf("%s: refresh: %s", h.Name, a.Status)
	}
	return nil
}

// Cut takes the host off the network (netns mode only): its veth goes
// down, so it neither sends nor receives, as if its cable were pulled.
// The daemon keeps running.
func (h *Host) Cut() error {
	if h.NS == "" {
		return fmt.Errorf("%s: Cut needs netns mode", h.Name)
	}
	return ip("-n", h.NS, "link", "set", h.Iface, "down")
}

// Heal brings the host's link back after Cut (netns mode only), with its
// multicast route, which the kernel removes with the link.
func (h *Host) Heal() error {
	if h.NS == "" {
		return fmt.Errorf("%s: Heal needs netns mode", h.Name)
	}
	if err := ip("-n", h.NS, "link", "set", h.Iface, "up"); err != nil {
		return err
	}
	return ip("-n", h.NS, "route", "replace", "224.0.0.0/4", "dev", h.Iface)
}

// LogTail returns the last n lines of the daemon's log.
func (h *Host) LogTail(n int) string {
	b, err := os.ReadFile(h.LogFile)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return h.Name + " log:\n  " + strings.Join(lines, "\n  ")
}

func writeAtomic(path, content string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func closed(c chan struct{}) bool {
	if c == nil {
		return false
	}
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// ensureDir creates dir (and parents) with owner-only permissions.
func ensureDir(dir string) error { return os.MkdirAll(filepath.Clean(dir), 0o700) }
