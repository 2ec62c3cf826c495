package gossip

import (
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// Action is what the engine asks its caller to do. Actions are values;
// the engine never performs them itself.
type Action interface{ action() }

// Deliver hands a peer's news to Info. With Full, Disks is a whole
// inventory generation; without, the peer is alive with generation Gen.
// A legacy delivery has Gen 0: the caller numbers it from a counter that
// survives restarts, so that Info never sees a legacy generation go back.
type Deliver struct {
	Node, Instance, Addr string
	Seq                  uint64
	Agent                string
	Full                 bool
	Gen                  uint64
	Legacy               bool
	Disks                []messages.Disk
}

// Left says a peer said goodbye.
type Left struct {
	Node, Instance string
	Seq            uint64
}

// Request asks node To for chunks of generation Gen; an empty Missing
// asks for all of them.
type Request struct {
	To      string
	Gen     uint64
	Missing []int
}

// Resend sends these chunks of the local inventory again.
type Resend struct{ Chunks []int }

// Announce sends the local announce now: a peer asked for a generation
// that is not the current one.
type Announce struct{}

// AnnounceSoon announces after a short random delay: a peer pinged.
type AnnounceSoon struct{}

// Drop counts a datagram dropped, by Reason (a wire.Drop constant). Quiet
// drops are expected and counted only; the others are also logged
// (rate-limited) and shown to debug sessions.
type Drop struct {
	Reason, Src, Detail string
	Quiet               bool
}

// NodeClash says another instance announces under our own node name.
type NodeClash struct{ Instance, Addr string }

// Own counts one of our own datagrams, looped back.
type Own struct{}

func (Deliver) action()      {}
func (Left) action()         {}
func (Request) action()      {}
func (Resend) action()       {}
func (Announce) action()     {}
func (AnnounceSoon) action() {}
func (Drop) action()         {}
func (NodeClash) action()    {}
func (Own) action()          {}

// MountIn hands a mount request or answer addressed to this node to the
// remote mount actors, after the engine's rate, freshness and own-datagram
// checks.
type MountIn struct {
	Src string
	Env *wire.Envelope
}

func (MountIn) action() {}
