package actors

import (
	"fmt"
	"testing"
	"time"
)

// The start-up delay of an instance lies in [D/4, D], is the same
// wherever it is computed, and is spread by the instance id.
func TestStartupWait(t *testing.T) {
	const d = 3 * time.Second
	seen := map[time.Duration]bool{}
	for i := range 1000 {
		inst := fmt.Sprintf("%016x", uint64(i)*0x9e3779b97f4a7c15)
		w := startupWait(d, inst)
		if w < d/4 || w > d {
			t.Fatalf("instance %s: wait %v, want within [%v, %v]", inst, w, d/4, d)
		}
		if w != startupWait(d, inst) {
			t.Fatalf("instance %s: two waits", inst)
		}
		seen[w/(100*time.Millisecond)] = true
	}
	if len(seen) < 20 {
		t.Errorf("1,000 instances fell in %d of the 23 tenths of a second from 0.7s to 3s, want them spread", len(seen))
	}
	if w := startupWait(0, "00000000000000aa"); w != 0 {
		t.Errorf("D = 0: wait %v, want 0", w)
	}
}
