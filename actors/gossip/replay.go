package gossip

// replayWindow rejects replayed sequence numbers of one sender (one node
// instance), as IPsec and DTLS do: it remembers the highest number accepted
// and which of the 64 numbers up to it, that one included, have been seen.
// A higher number slides the window and is accepted; a number within the
// window is accepted once; an older one is rejected, as is 0. Numbers may
// thus arrive out of order by up to 63 places. The zero value is an empty
// window. It is not safe for concurrent use.
type replayWindow struct {
	highest uint64 // the highest number accepted; 0 before the first
	bits    uint64 // bit i set: highest-i has been accepted
}

// replayWindowSize is the number of sequence numbers a replayWindow tracks.
const replayWindowSize = 64

// accept reports whether seq is new, and records it if so.
func (w *replayWindow) accept(seq uint64) bool {
	if seq == 0 {
		return false
	}
	if seq > w.highest {
		if shift := seq - w.highest; shift < replayWindowSize {
			w.bits = w.bits<<shift | 1
		} else {
			w.bits = 1
		}
		w.highest = seq
		return true
	}
	age := w.highest - seq
	if age >= replayWindowSize {
		return false
	}
	bit := uint64(1) << age
	if w.bits&bit != 0 {
		return false
	}
	w.bits |= bit
	return true
}
