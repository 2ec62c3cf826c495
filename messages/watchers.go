package messages

import "time"

// Messages for DiskWatcher and MulticastServer.

// Rescan asks DiskWatcher to run blkid now; answered by RescanDone once Info
// has applied the result. Concurrent requests share one run.
type Rescan struct{}

// RescanDone answers Rescan.
type RescanDone struct {
	Report  ScanReport `json:"report"`
	Changed bool       `json:"changed"`
	// NoListYet: the run failed and none has succeeded since the daemon
	// started, so there is no earlier disk list to keep.
	NoListYet bool `json:"-"`
}

// LocalDisksChanged tells MulticastServer that the local inventory changed
// and must be announced now.
type LocalDisksChanged struct {
	Disks []Disk
}

// PeerDiscovered tells MulticastServer that a node appeared or restarted, so
// it announces soon and the newcomer learns this host without waiting for
// the next interval.
type PeerDiscovered struct {
	Node string
}

// Crash makes the receiving actor panic. Only the session command "_panic",
// compiled in with the diskd_testhooks build tag, sends it: tests use it to
// prove supervision.
type Crash struct{}

// Ping asks MulticastServer to ask every peer to re-announce; answered by
// PingSent. Rate-limited: a ping within pingEvery of the last is refused.
type Ping struct{}

// PingSent answers Ping. When Sent is false, RetryIn says when a ping will
// be accepted again.
type PingSent struct {
	Sent    bool          `json:"sent"`
	RetryIn time.Duration `json:"retry_in_ns,omitempty"`
}

// NodeClash reports that a datagram under our own node name came from
// another instance.
type NodeClash struct {
	Instance, Addr string
}
