package messages

// Remote mount (docs/operations.md, "Remote mount"): a session asks
// MountRequester, which asks the holder's MountServer over the wire.

// MountAsk asks MountRequester to have the node holding Disk (a uuid,
// label or serial) mount or unmount it; answered by MountAnswer.
type MountAsk struct {
	Action  string   // "mount" or "unmount"
	Disk    string   // as the user named it
	Options []string // mount only, beyond the always-added nosuid,nodev
}

// MountAnswer results of a MountAsk, beyond the wire's done, refused,
// failed and not-found.
const (
	MountNoAnswer = "no-answer" // the holder did not answer within mount.wait
	MountBusy     = "busy"      // too many requests in flight here
)

// MountAnswer is the outcome of a MountAsk.
type MountAnswer struct {
	Action string `json:"action"`
	Disk   string `json:"disk"`
	Node   string `json:"node,omitempty"`   // the holder asked
	Result string `json:"result"`           // done, refused, failed, not-found, no-answer, busy
	Point  string `json:"point,omitempty"`  // the mount point (done)
	Reason string `json:"reason,omitempty"` // why, or what happened
	ID     string `json:"id,omitempty"`     // the request's one-time id, as in the holder's audit log
}

// MountStatus is the remote mount part of status: this host as holder
// (Policy, Requests, Refused by reason, Ran, Failed) and as asker (Asked,
// Pending, Answers by result); bounded tables with their sizes.
type MountStatus struct {
	Policy      bool              `json:"policy"`       // mount.policy is configured
	Requests    uint64            `json:"requests"`     // requests received as holder
	Refused     map[string]uint64 `json:"refused"`      // by reason: unauthenticated, replay, stale, rate_limited, busy, policy, not_found
	Ran         uint64            `json:"ran"`          // mount or umount runs that succeeded
	Failed      uint64            `json:"failed"`       // runs that failed or timed out
	Replay      int               `json:"replay_cache"` // one-time ids remembered
	Requesters  int               `json:"requesters"`   // nodes whose request rate is tracked
	Running     int               `json:"running"`      // mount or umount runs in flight
	Asked       uint64            `json:"asked"`        // requests this host sent
	Pending     int               `json:"pending"`      // waiting for an answer
	Answers     map[string]uint64 `json:"answers"`      // by result
	StrayAnswer uint64            `json:"stray_answers"`
}

// MountTableChanged tells MountWatcher that a mount or unmount was just
// made: read the table now, not at the next tick.
type MountTableChanged struct{}
