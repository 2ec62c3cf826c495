package bed

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Command returns the bed's binary ready to run with args (the client, or
// a daemon the bed does not manage), with HOME set to a directory of the
// bed's so that it never reads the user's files. The caller sets stdin,
// stdout and the rest.
func (b *Bed) Command(args ...string) *exec.Cmd {
	cmd := exec.Command(b.Bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+b.Dir)
	return cmd
}

// Run runs the bed's binary with args to its end and returns what it
// printed and its exit status; err is set only when it could not run.
func (b *Bed) Run(args ...string) (stdout, stderr string, code int, err error) {
	cmd := b.Command(args...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		return out.String(), errb.String(), ee.ExitCode(), nil
	}
	if err != nil {
		return out.String(), errb.String(), -1, fmt.Errorf("running %v: %w", args, err)
	}
	return out.String(), errb.String(), 0, nil
}

// Client runs the client (the bed's binary) against the host's daemon:
// `diskd-actors --socket SOCKET args...`.
func (h *Host) Client(args ...string) (stdout, stderr string, code int, err error) {
	return h.bed.Run(append([]string{"--socket", h.Socket}, args...)...)
}

// WaitFor polls cond every 10 ms until it holds, and fails the test after
// within, with what and the last error cond returned.
func WaitFor(tb testing.TB, within time.Duration, what string, cond func() (bool, error)) {
	tb.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, err := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: not true within %v (last error: %v)", what, within, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
