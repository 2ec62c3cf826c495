package blkid

import (
	"context"
	"errors"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
)

// Scan runs argv (see Run) and parses its output (see Parse), as raw when
// argv has -d (see RawOutput). It is one scan of the host's disks: either
// every disk blkid found, or an error and no disks.
func Scan(ctx context.Context, argv []string, timeout time.Duration) ([]messages.Disk, error) {
	out, err := Run(ctx, argv, timeout)
	if err != nil {
		return nil, err
	}
	return Parse(out, RawOutput(argv))
}

// Outcomes of a scan other than the Kind of a failed run.
const (
	OutcomeOK    = "ok"    // disks were found (or none)
	OutcomeParse = "parse" // blkid ran, but its output was rejected
	OutcomeError = "error" // any other error
)

// Outcome names how a scan that returned err ended, as status shows it:
// OutcomeOK for nil, the Kind of a *RunError, OutcomeParse for a
// *ParseError, OutcomeError otherwise.
func Outcome(err error) string {
	var re *RunError
	var pe *ParseError
	switch {
	case err == nil:
		return OutcomeOK
	case errors.As(err, &re):
		return string(re.Kind)
	case errors.As(err, &pe):
		return OutcomeParse
	}
	return OutcomeError
}
