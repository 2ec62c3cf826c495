// Package mountrun runs mount and umount for a remote request: argv only,
// never a shell, in its own process group, killed whole (grandchildren too)
// when it outlives its timeout, as actors/blkid runs blkid.
package mountrun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// maxOutput bounds what is kept of the program's stdout and stderr.
const maxOutput = 4 << 10

// waitDelay is how long Wait waits for the output pipes after a kill.
const waitDelay = time.Second

// Error says why a run failed; Output is the tail of what it wrote.
type Error struct {
	Timeout bool
	Err     error
	Output  string
}

func (e *Error) Error() string {
	msg := e.Err.Error()
	if s := strings.TrimSpace(e.Output); s != "" {
		msg += fmt.Sprintf(" (%q)", s)
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// MountArgv is the mount command: prefix, then -t fstype (when known), -o
// options, "--", device and point.
func MountArgv(prefix []string, fstype string, options []string, device, point string) []string {
	argv := append([]string(nil), prefix...)
	if fstype != "" {
		argv = append(argv, "-t", fstype)
	}
	if len(options) > 0 {
		argv = append(argv, "-o", strings.Join(options, ","))
	}
	return append(argv, "--", device, point)
}

// UnmountArgv is the umount command: prefix, "--", point.
func UnmountArgv(prefix []string, point string) []string {
	return append(append([]string(nil), prefix...), "--", point)
}

// Run runs argv with timeout and returns nil when it exits 0.
func Run(ctx context.Context, argv []string, timeout time.Duration) error {
	if len(argv) == 0 || argv[0] == "" {
		return &Error{Err: errors.New("empty command")}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out := &tail{}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = waitDelay
	if err := cmd.Start(); err != nil {
		return &Error{Err: fmt.Errorf("%s: %w", argv[0], err)}
	}
	err := cmd.Wait()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // whatever it left behind
	}
	switch {
	case ctx.Err() != nil:
		return &Error{Timeout: true, Err: fmt.Errorf("%s killed after %v", argv[0], timeout), Output: out.String()}
	case err != nil:
		return &Error{Err: fmt.Errorf("%s: %w", argv[0], err), Output: out.String()}
	}
	return nil
}

// tail keeps the last maxOutput bytes written.
type tail struct{ b []byte }

func (t *tail) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > maxOutput {
		t.b = t.b[len(t.b)-maxOutput:]
	}
	return len(p), nil
}

func (t *tail) String() string { return string(bytes.ToValidUTF8(t.b, []byte("?"))) }
