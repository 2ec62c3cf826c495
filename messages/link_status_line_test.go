package messages

import (
	"testing"
	"time"
)

func TestLinkStatusLine_cases(t *testing.T) {
	at := time.Date(2026, 12, 2, 1, 2, 3, 0, time.UTC)
	for _, c := range []struct {
		name string
		l    LinkStatus
		want string
	}{
		{"default interface up, nothing happened", LinkStatus{Up: true, Watch: "poll"},
			"default interface up (poll); 0 rejoins, 0 rebinds"},
		{"named interface down without address", LinkStatus{Interface: "eth1", Watch: "netlink+poll"},
			"eth1 DOWN (netlink+poll); 0 rejoins, 0 rebinds"},
		{"failed fixes", LinkStatus{Interface: "eth1", Up: true, Watch: "poll", FixErrors: 2, FixError: "no such device"},
			"eth1 up (poll); 0 rejoins, 0 rebinds; 2 failed fixes, last: no such device"},
		{"past send errors alone are not a failing run", LinkStatus{Up: true, Watch: "poll", SendErrors: 9},
			"default interface up (poll); 0 rejoins, 0 rebinds"},
		{"everything", LinkStatus{Interface: "veth0", Address: "198.18.0.1", Watch: "poll", Rejoins: 1, Rebinds: 2,
			LastFix: "rejoined", LastFixAt: at, FixErrors: 1, FixError: "e", ConsecutiveSendErrors: 4, LastSendError: "unreachable", LastSendErrorAt: at},
			"veth0 at 198.18.0.1 DOWN (poll); 1 rejoins, 2 rebinds, last: rejoined at 2026-12-02T01:02:03Z; 1 failed fixes, last: e; " +
				"SENDS FAILING: 4 in a row, last at 2026-12-02T01:02:03Z: unreachable"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.l.Line(); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}
