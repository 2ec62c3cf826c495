package wire

// The remote mount exchange (docs/protocol.md, "Remote mount"): a daemon
// asks the node that holds a disk to mount or unmount it (kind "mount",
// addressed with To), and the holder answers the asker (kind
// "mount-result", To the asker, the same ID). Both carry a MountBody.
// Receivers accept them only from authenticated peers; that is the
// holder's check, not the decoder's, since the decoder does not know
// whether keys are configured.

import (
	"errors"
	"fmt"
)

// Kinds of the remote mount exchange (append only).
const (
	KindMount       = "mount"
	KindMountResult = "mount-result"
)

// Bounds of a MountBody.
const (
	// MountIDLen is the length of a request's one-time id, lower-case hex.
	MountIDLen = 32
	// MaxMountOptions bounds the options of one request.
	MaxMountOptions = 16
	// MaxMountOption bounds one option, in bytes.
	MaxMountOption = 64
)

// Mount actions and results.
const (
	MountActionMount   = "mount"
	MountActionUnmount = "unmount"

	MountDone     = "done"      // mounted or unmounted, or already so; Point says where
	MountRefused  = "refused"   // the holder's policy or checks said no; Reason says why
	MountFailed   = "failed"    // allowed, but mount or umount failed; Reason says how
	MountNotFound = "not-found" // the holder has no such disk (any more)
)

// MountBody is the request or the answer of the remote mount exchange.
type MountBody struct {
	// ID is the request's one-time id; an answer repeats it.
	ID string `json:"id"`
	// At: when the request was made, Unix seconds of the asker's clock; a
	// holder refuses requests too far from its own.
	At      int64    `json:"at,omitempty"`
	Action  string   `json:"action"`
	Disk    string   `json:"disk"` // as the user named it: uuid, label or serial
	Options []string `json:"options,omitempty"`
	// Answer only.
	Result string `json:"result,omitempty"`
	Point  string `json:"point,omitempty"`
	Reason string `json:"reason,omitempty"`
}

func validMount(e *Envelope) error {
	isMount := e.Kind == KindMount || e.Kind == KindMountResult
	switch {
	case !isMount && e.Mount != nil:
		return fmt.Errorf("%s carries a mount body", e.Kind)
	case !isMount:
		return nil
	case e.Mount == nil:
		return fmt.Errorf("%s without a mount body", e.Kind)
	}
	if err := ValidNodeName(e.To); err != nil {
		return fmt.Errorf("to: %v", err)
	}
	m := e.Mount
	if !validHex(m.ID, MountIDLen) {
		return fmt.Errorf("mount id %.40q: want %d lower-case hex digits", m.ID, MountIDLen)
	}
	if m.Action != MountActionMount && m.Action != MountActionUnmount {
		return fmt.Errorf("mount action %.20q", m.Action)
	}
	if m.Disk == "" {
		return errors.New("mount: no disk")
	}
	for _, f := range [...]struct{ name, v string }{{"disk", m.Disk}, {"point", m.Point}, {"reason", m.Reason}} {
		if err := validField(f.v); err != nil {
			return fmt.Errorf("mount %s: %v", f.name, err)
		}
	}
	if len(m.Options) > MaxMountOptions {
		return fmt.Errorf("%d mount options, limit %d", len(m.Options), MaxMountOptions)
	}
	for _, o := range m.Options {
		if o == "" || len(o) > MaxMountOption || validField(o) != nil {
			return fmt.Errorf("mount option %.80q: want 1 to %d bytes", o, MaxMountOption)
		}
	}
	if e.Kind == KindMount {
		if m.At <= 0 || m.Result != "" || m.Point != "" || m.Reason != "" {
			return errors.New("mount request: want at > 0 and no result")
		}
		return nil
	}
	switch m.Result {
	case MountDone, MountRefused, MountFailed, MountNotFound:
	default:
		return fmt.Errorf("mount result %.20q", m.Result)
	}
	return nil
}
