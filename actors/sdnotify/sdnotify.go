// Package sdnotify speaks systemd's notify protocol (sd_notify(3)): state
// lines such as "READY=1", "STATUS=…" and "WATCHDOG=1" sent as one datagram
// to the unix socket named by $NOTIFY_SOCKET. It is the few lines of the
// protocol the daemon needs, so the module takes no dependency for it.
// A leading '@' in the socket name is Linux's abstract namespace.
package sdnotify

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// Notifier sends state to the service manager. A nil *Notifier (not run
// under systemd, or not as Type=notify) sends nothing.
type Notifier struct {
	addr *net.UnixAddr
}

// FromEnv returns the Notifier of $NOTIFY_SOCKET, or nil when it is unset.
// A socket name that is neither an absolute path nor abstract is an error.
func FromEnv() (*Notifier, error) { return New(os.Getenv("NOTIFY_SOCKET")) }

// New returns the Notifier of socket name, or nil for "".
func New(name string) (*Notifier, error) {
	switch {
	case name == "":
		return nil, nil
	case name[0] == '@':
		// The abstract namespace: a NUL first byte in sun_path, which
		// the net package writes for a leading '@'.
	case name[0] != '/':
		return nil, fmt.Errorf("sdnotify: NOTIFY_SOCKET %q is neither an absolute path nor an abstract name (@…)", name)
	}
	return &Notifier{addr: &net.UnixAddr{Name: name, Net: "unixgram"}}, nil
}

// Notify sends state lines, joined with newlines, as one datagram. Each
// line is KEY=VALUE; a value may not hold a newline.
func (n *Notifier) Notify(lines ...string) error {
	if n == nil {
		return nil
	}
	for _, l := range lines {
		if !strings.Contains(l, "=") || strings.ContainsAny(l, "\n\x00") {
			return fmt.Errorf("sdnotify: %q is not a KEY=VALUE line", l)
		}
	}
	c, err := net.DialUnix("unixgram", nil, n.addr)
	if err != nil {
		return fmt.Errorf("sdnotify: %w", err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(strings.Join(lines, "\n"))); err != nil {
		return fmt.Errorf("sdnotify: %w", err)
	}
	return nil
}

// Status is a STATUS= line: one line of free text shown by systemctl
// status, newlines replaced by spaces.
func Status(text string) string {
	return "STATUS=" + strings.NewReplacer("\n", " ", "\x00", " ").Replace(text)
}

// Lines the daemon sends.
const (
	Ready     = "READY=1"
	Stopping  = "STOPPING=1"
	Reloading = "RELOADING=1"
	Watchdog  = "WATCHDOG=1"
)

// WatchdogInterval is how often to send WATCHDOG=1: half of $WATCHDOG_USEC,
// as sd_watchdog_enabled(3) advises, when the watchdog is on and meant for
// this process ($WATCHDOG_PID unset or ours). Zero when it is off.
func WatchdogInterval() (time.Duration, error) {
	return watchdogInterval(os.Getenv("WATCHDOG_USEC"), os.Getenv("WATCHDOG_PID"), os.Getpid())
}

func watchdogInterval(usec, pid string, self int) (time.Duration, error) {
	if usec == "" {
		return 0, nil
	}
	if pid != "" {
		p, err := strconv.Atoi(pid)
		if err != nil {
			return 0, fmt.Errorf("sdnotify: WATCHDOG_PID %q is not a number", pid)
		}
		if p != self {
			return 0, nil // meant for another process (our parent)
		}
	}
	u, err := strconv.ParseUint(usec, 10, 63)
	if err != nil || u == 0 {
		return 0, errors.New("sdnotify: WATCHDOG_USEC " + strconv.Quote(usec) + " is not a positive number")
	}
	if u > uint64(time.Duration(1<<62)/time.Microsecond) {
		return 0, errors.New("sdnotify: WATCHDOG_USEC " + strconv.Quote(usec) + " is too large")
	}
	return time.Duration(u) * time.Microsecond / 2, nil
}
