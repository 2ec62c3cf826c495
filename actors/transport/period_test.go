package transport

import (
	"os"
	"testing"
	"time"
)

// The periodic check is a backstop while netlink reports changes, and
// the short interval without netlink or while a failed fix waits for its
// retry.
func TestCheckPeriod(t *testing.T) {
	o := defaultOptions()
	nl, err := os.Open(os.DevNull) // stands for the subscription: only its presence counts
	if err != nil {
		t.Fatal(err)
	}
	defer nl.Close()
	withNetlink := &multicastTransport{o: o, nl: nl}
	pollOnly := &multicastTransport{o: o}
	for _, c := range []struct {
		name    string
		t       *multicastTransport
		settled bool
		want    time.Duration
	}{
		{"netlink, settled", withNetlink, true, DefaultNetlinkCheckInterval},
		{"netlink, a fix failed", withNetlink, false, DefaultCheckInterval},
		{"poll only, settled", pollOnly, true, DefaultCheckInterval},
		{"poll only, a fix failed", pollOnly, false, DefaultCheckInterval},
	} {
		if got := c.t.period(c.settled); got != c.want {
			t.Errorf("%s: period %v, want %v", c.name, got, c.want)
		}
	}
}
