package messages

import (
	"strings"
	"testing"
	"time"
)

func TestLinkStatusLine(t *testing.T) {
	at := time.Date(2026, 12, 2, 1, 2, 3, 0, time.UTC)
	l := &LinkStatus{Interface: "veth0", Address: "198.18.0.9", Up: true, Watch: "netlink+poll",
		Rejoins: 2, Rebinds: 1, LastFix: "address changed", LastFixAt: at}
	want := "veth0 at 198.18.0.9 up (netlink+poll); 2 rejoins, 1 rebinds, last: address changed at 2026-12-02T01:02:03Z"
	if got := l.Line(); got != want {
		t.Errorf("Line() = %q, want %q", got, want)
	}
	l = &LinkStatus{Watch: "poll", ConsecutiveSendErrors: 3, LastSendError: "network is unreachable", LastSendErrorAt: at}
	got := l.Line()
	for _, part := range []string{"default interface DOWN (poll)", "SENDS FAILING: 3 in a row", "network is unreachable"} {
		if !strings.Contains(got, part) {
			t.Errorf("Line() = %q, want it to contain %q", got, part)
		}
	}
}
