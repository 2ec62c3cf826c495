package messages

import (
	"fmt"
	"strings"
	"time"
)

// Line is the link's one-line summary for the text status: where it
// sends from, whether it is up, what recovery did, and a run of failing
// sends while there is one.
func (l *LinkStatus) Line() string {
	var b strings.Builder
	iface := l.Interface
	if iface == "" {
		iface = "default interface"
	}
	b.WriteString(iface)
	if l.Address != "" {
		b.WriteString(" at " + l.Address)
	}
	if l.Up {
		b.WriteString(" up")
	} else {
		b.WriteString(" DOWN")
	}
	fmt.Fprintf(&b, " (%s); %d rejoins, %d rebinds", l.Watch, l.Rejoins, l.Rebinds)
	if l.LastFix != "" {
		fmt.Fprintf(&b, ", last: %s at %s", l.LastFix, l.LastFixAt.Format(time.RFC3339))
	}
	if l.FixErrors > 0 {
		fmt.Fprintf(&b, "; %d failed fixes, last: %s", l.FixErrors, l.FixError)
	}
	if l.ConsecutiveSendErrors > 0 {
		fmt.Fprintf(&b, "; SENDS FAILING: %d in a row, last at %s: %s",
			l.ConsecutiveSendErrors, l.LastSendErrorAt.Format(time.RFC3339), l.LastSendError)
	}
	return b.String()
}
