package blkid

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Kind says how a run failed; it is the outcome a scan report shows.
type Kind string

// The kinds of RunError.
const (
	NotFound       Kind = "not_found"        // the program does not exist
	Permission     Kind = "permission"       // it cannot be executed (EACCES)
	StartFailed    Kind = "start"            // it could not be started for another reason
	Timeout        Kind = "timeout"          // killed after the timeout
	Canceled       Kind = "canceled"         // killed because the caller's context ended
	Exit           Kind = "exit"             // non-zero exit other than 2, or killed by a signal
	OutputTooLarge Kind = "output_too_large" // more than 4 MiB on stdout
)

const (
	maxStderr = 4 << 10 // the tail of stderr kept for the error
	// waitDelay bounds the wait for stdout to close once blkid exited
	// or was killed: a grandchild outside its process group may hold it.
	waitDelay = time.Second
)

var (
	errTimeout  = errors.New("killed: no result")
	errTooLarge = fmt.Errorf("more than %d bytes of output", maxOutput)
)

// RunError says why a blkid run gave no usable output, so that a scan
// report can tell a missing program from a hung one.
type RunError struct {
	Kind     Kind
	Err      error
	Stderr   string // the last 4 KiB blkid wrote to stderr
	ExitCode int    // exit status; -1 when it did not exit by itself
}

func (e *RunError) Error() string {
	msg := "blkid " + string(e.Kind)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if s := strings.TrimSpace(e.Stderr); s != "" {
		msg += fmt.Sprintf(" (stderr: %q)", s)
	}
	return msg
}

func (e *RunError) Unwrap() error { return e.Err }

// Run runs argv and returns its stdout. Exit status 2, blkid's
// "nothing found", is no disks rather than an error.
//
// blkid can hang on a dead device, and a wrapper script may leave children
// behind, so the command runs in its own process group and the whole group
// is killed with SIGKILL after timeout (0: none) or when ctx ends. Stdout is
// capped at 4 MiB: a run that writes more is killed and reported as
// output_too_large. Every failure is a *RunError.
func Run(ctx context.Context, argv []string, timeout time.Duration) (out []byte, err error) {
	if len(argv) == 0 {
		return nil, &RunError{Kind: NotFound, Err: errors.New("empty command"), ExitCode: -1}
	}
	ctx, abort := context.WithCancelCause(ctx)
	defer abort(nil)
	runCtx := ctx
	if timeout > 0 {
		var stop context.CancelFunc
		runCtx, stop = context.WithTimeoutCause(ctx, timeout, fmt.Errorf("%w after %v", errTimeout, timeout))
		defer stop()
	}

	stdout := &capBuffer{max: maxOutput, full: func() { abort(errTooLarge) }}
	stderr := &tailBuffer{max: maxStderr}
	cmd := exec.CommandContext(runCtx, argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd) }
	cmd.WaitDelay = waitDelay

	if err := cmd.Start(); err != nil {
		if runCtx.Err() != nil {
			return nil, ctxError(runCtx, "")
		}
		kind := StartFailed
		switch {
		case errors.Is(err, exec.ErrNotFound), errors.Is(err, fs.ErrNotExist):
			kind = NotFound
		case errors.Is(err, fs.ErrPermission):
			kind = Permission
		}
		return nil, &RunError{Kind: kind, Err: err, ExitCode: -1}
	}
	err = cmd.Wait()
	if err == nil {
		return stdout.b, nil
	}
	if errors.Is(err, exec.ErrWaitDelay) {
		// blkid exited but something it started kept stdout open.
		_ = killGroup(cmd)
	}
	code := -1
	if st := cmd.ProcessState; st != nil {
		code = st.ExitCode()
	}
	switch {
	case stdout.over:
		return nil, &RunError{Kind: OutputTooLarge, Err: errTooLarge, Stderr: stderr.String(), ExitCode: code}
	case runCtx.Err() != nil:
		return nil, ctxError(runCtx, stderr.String())
	case code == 2:
		return nil, nil
	case errors.Is(err, exec.ErrWaitDelay):
		return nil, &RunError{Kind: Exit, Err: fmt.Errorf("exited, but its stdout stayed open: %w", err), Stderr: stderr.String(), ExitCode: 0}
	}
	return nil, &RunError{Kind: Exit, Err: err, Stderr: stderr.String(), ExitCode: code}
}

// ctxError reports a run ended by its context: our timeout, a deadline of
// the caller (also a timeout), or the caller cancelling.
func ctxError(ctx context.Context, stderr string) error {
	kind := Canceled
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		kind = Timeout
	}
	return &RunError{Kind: kind, Err: context.Cause(ctx), Stderr: stderr, ExitCode: -1}
}

// killGroup kills the process group of cmd, which Setpgid made equal to
// its pid, so that children of a wrapper script die too.
func killGroup(cmd *exec.Cmd) error {
	err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	if err != nil && !errors.Is(err, syscall.ESRCH) {
		return cmd.Process.Kill()
	}
	return nil
}

// capBuffer keeps up to max bytes. A write past max fails, which makes
// os/exec stop reading, and calls full so that the run is killed.
type capBuffer struct {
	b    []byte
	max  int
	over bool
	full func()
}

func (c *capBuffer) Write(p []byte) (int, error) {
	if len(c.b)+len(p) > c.max {
		c.over = true
		c.full()
		return 0, errTooLarge
	}
	c.b = append(c.b, p...)
	return len(p), nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	b   []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 2*t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

// String returns the tail, made valid UTF-8 where the cut split a character.
func (t *tailBuffer) String() string {
	b := t.b
	if len(b) > t.max {
		b = b[len(b)-t.max:]
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
