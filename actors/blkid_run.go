package actors

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

// Kinds of BlkidError, reported as the outcome of a scan.
const (
	BlkidNotFound       = "not_found"        // the program does not exist
	BlkidPermission     = "permission"       // it cannot be executed (EACCES)
	BlkidStart          = "start"            // it could not be started for another reason
	BlkidTimeout        = "timeout"          // killed after the timeout
	BlkidCanceled       = "canceled"         // killed because the caller's context ended
	BlkidExit           = "exit"             // non-zero exit other than 2, or killed by a signal
	BlkidOutputTooLarge = "output_too_large" // more than 4 MiB on stdout
)

const (
	maxBlkidStderr = 4 << 10 // the tail of stderr kept for the error
	// blkidWaitDelay bounds the wait for stdout to close once blkid exited
	// or was killed: a grandchild outside its process group may hold it.
	blkidWaitDelay = time.Second
)

var (
	errBlkidTimeout  = errors.New("killed: no result")
	errBlkidTooLarge = fmt.Errorf("more than %d bytes of output", maxBlkidOutput)
)

// BlkidError says why a blkid run gave no usable output, so that a scan
// report can tell a missing program from a hung one.
type BlkidError struct {
	Kind     string // one of the Blkid* kinds
	Err      error
	Stderr   string // the last 4 KiB blkid wrote to stderr
	ExitCode int    // exit status; -1 when it did not exit by itself
}

func (e *BlkidError) Error() string {
	msg := "blkid " + e.Kind
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if s := strings.TrimSpace(e.Stderr); s != "" {
		msg += fmt.Sprintf(" (stderr: %q)", s)
	}
	return msg
}

func (e *BlkidError) Unwrap() error { return e.Err }

// RunBlkid runs argv and returns its stdout. Exit status 2, blkid's
// "nothing found", is no disks rather than an error.
//
// blkid can hang on a dead device, and a wrapper script may leave children
// behind, so the command runs in its own process group and the whole group
// is killed with SIGKILL after timeout (0: none) or when ctx ends. Stdout is
// capped at 4 MiB: a run that writes more is killed and reported as
// output_too_large. Every failure is a *BlkidError.
func RunBlkid(ctx context.Context, argv []string, timeout time.Duration) (out []byte, err error) {
	if len(argv) == 0 {
		return nil, &BlkidError{Kind: BlkidNotFound, Err: errors.New("empty command"), ExitCode: -1}
	}
	ctx, abort := context.WithCancelCause(ctx)
	defer abort(nil)
	runCtx := ctx
	if timeout > 0 {
		var stop context.CancelFunc
		runCtx, stop = context.WithTimeoutCause(ctx, timeout, fmt.Errorf("%w after %v", errBlkidTimeout, timeout))
		defer stop()
	}

	stdout := &capBuffer{max: maxBlkidOutput, full: func() { abort(errBlkidTooLarge) }}
	stderr := &tailBuffer{max: maxBlkidStderr}
	cmd := exec.CommandContext(runCtx, argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd) }
	cmd.WaitDelay = blkidWaitDelay

	if err := cmd.Start(); err != nil {
		if runCtx.Err() != nil {
			return nil, ctxError(runCtx, "")
		}
		kind := BlkidStart
		switch {
		case errors.Is(err, exec.ErrNotFound), errors.Is(err, fs.ErrNotExist):
			kind = BlkidNotFound
		case errors.Is(err, fs.ErrPermission):
			kind = BlkidPermission
		}
		return nil, &BlkidError{Kind: kind, Err: err, ExitCode: -1}
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
		return nil, &BlkidError{Kind: BlkidOutputTooLarge, Err: errBlkidTooLarge, Stderr: stderr.String(), ExitCode: code}
	case runCtx.Err() != nil:
		return nil, ctxError(runCtx, stderr.String())
	case code == 2:
		return nil, nil
	case errors.Is(err, exec.ErrWaitDelay):
		return nil, &BlkidError{Kind: BlkidExit, Err: fmt.Errorf("exited, but its stdout stayed open: %w", err), Stderr: stderr.String(), ExitCode: 0}
	}
	return nil, &BlkidError{Kind: BlkidExit, Err: err, Stderr: stderr.String(), ExitCode: code}
}

// ctxError reports a run ended by its context: our timeout, a deadline of
// the caller (also a timeout), or the caller cancelling.
func ctxError(ctx context.Context, stderr string) error {
	kind := BlkidCanceled
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		kind = BlkidTimeout
	}
	return &BlkidError{Kind: kind, Err: context.Cause(ctx), Stderr: stderr, ExitCode: -1}
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

// BlkidRaw reports whether argv runs blkid with -d (--no-encoding), that is
// whether its output is raw rather than encoded. It reads argv as blkid's
// getopt would, so the argument of an option (-o, -s, -c ...) is not taken
// for a flag, and clusters such as -do or abbreviations such as --no-enc
// count.
func BlkidRaw(argv []string) bool {
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		switch {
		case a == "--":
			return false
		case strings.HasPrefix(a, "--"):
			name, _, hasValue := strings.Cut(a[2:], "=")
			long, takesArg := blkidLongOpt(name)
			if long == "no-encoding" {
				return true
			}
			if takesArg && !hasValue {
				i++
			}
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				if a[j] == 'd' {
					return true
				}
				if strings.IndexByte(blkidArgOpts, a[j]) >= 0 {
					if j == len(a)-1 {
						i++ // the argument is the next word
					}
					break
				}
			}
		}
	}
	return false
}

// blkidArgOpts are the short options of blkid (util-linux 2.38, getopt
// string "c:DdgH:hilL:n:ko:O:ps:S:t:u:U:w:Vv") that take an argument.
const blkidArgOpts = "cHLnoOsStuUw"

// blkidLongOpts are blkid's long options and whether each takes an argument.
var blkidLongOpts = []struct {
	name string
	arg  bool
}{
	{"cache-file", true}, {"no-encoding", false}, {"garbage-collect", false},
	{"output", true}, {"list-filesystems", false}, {"match-tag", true},
	{"match-token", true}, {"list-one", false}, {"label", true}, {"uuid", true},
	{"probe", false}, {"info", false}, {"hint", true}, {"size", true},
	{"offset", true}, {"usages", true}, {"match-types", true},
	{"no-part-details", false}, {"help", false}, {"version", false},
}

// blkidLongOpt resolves a long option, or an unambiguous prefix of one as
// getopt_long accepts.
func blkidLongOpt(name string) (string, bool) {
	found := -1
	for i, o := range blkidLongOpts {
		if o.name == name {
			return o.name, o.arg
		}
		if name != "" && strings.HasPrefix(o.name, name) {
			if found >= 0 {
				return "", false // ambiguous: blkid rejects it
			}
			found = i
		}
	}
	if found < 0 {
		return "", false
	}
	return blkidLongOpts[found].name, blkidLongOpts[found].arg
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
		return 0, errBlkidTooLarge
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
