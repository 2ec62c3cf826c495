package cluster

import "github.com/hashicorp/memberlist"

// Change is what a memberlist node event means for Info.
type Change int

// Changes of a peer.
const (
	Alive Change = iota // joined, or its metadata changed: heard
	Left                // left cleanly: a goodbye
	Down                // declared dead by the failure detector
)

// Event is a node event, copied out of memberlist's callback.
type Event struct {
	Join, Leave bool // neither: an update
	Name        string
	Addr        string // ip:port
	Meta        []byte
	State       memberlist.NodeStateType
}

// Classify maps an event onto a change: a leave is a goodbye only when
// memberlist marks it left; otherwise the failure detector declared it
// dead. memberlist v0.7.0 passes NotifyLeave a Node whose State it never
// sets (the state lives in a field that shadows it), so a clean stop is
// told by our own KindGoodbye, which arrives before or after the leave.
func Classify(e Event) Change {
	if !e.Leave {
		return Alive
	}
	if e.State == memberlist.StateLeft {
		return Left
	}
	return Down
}
