package bed

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
)

// Events is a `debug` stream on one of a host's sessions: every event the
// daemon emits from the subscription on, in order. The text form is read
// (not --json) because only it confirms the subscription: Kind, Node and
// Detail are exact, Time is the time of day on today's date, and Disk has
// the label as displayed (quoted labels unquoted) and the UUID. Not safe
// for concurrent use.
type Events struct {
	host *Host
	c    net.Conn
	r    *bufio.Reader
	// Seen holds every event read so far, in order.
	Seen []messages.Event
}

// Events opens a session, subscribes with `debug` and returns once
// the daemon confirms the subscription: every later change is an event.
// Close it when done (the bed does not).
func (h *Host) Events() (*Events, error) {
	c, err := net.DialTimeout("unix", h.Socket, DefaultQueryTimeout)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", h.Name, err)
	}
	e := &Events{host: h, c: c, r: bufio.NewReader(c)}
	c.SetDeadline(time.Now().Add(DefaultQueryTimeout))
	if _, err := e.r.ReadString('\n'); err != nil { // the greeting
		c.Close()
		return nil, fmt.Errorf("%s: greeting: %w", h.Name, err)
	}
	if _, err := c.Write([]byte("debug\n")); err != nil {
		c.Close()
		return nil, err
	}
	for {
		l, err := e.r.ReadString('\n')
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("%s: debug: %w", h.Name, err)
		}
		if strings.HasPrefix(l, ".err") {
			c.Close()
			return nil, fmt.Errorf("%s: debug: %s", h.Name, strings.TrimSpace(l))
		}
		if strings.HasPrefix(l, "streaming events") {
			return e, nil
		}
	}
}

// Next returns the next event, waiting up to timeout.
func (e *Events) Next(timeout time.Duration) (messages.Event, error) {
	e.c.SetReadDeadline(time.Now().Add(timeout))
	l, err := e.r.ReadString('\n')
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return messages.Event{}, fmt.Errorf("%s: no event within %v", e.host.Name, timeout)
		}
		return messages.Event{}, fmt.Errorf("%s: debug stream: %w", e.host.Name, err)
	}
	ev, err := parseEvent(strings.TrimSuffix(l, "\n"))
	if err != nil {
		return messages.Event{}, fmt.Errorf("%s: %w", e.host.Name, err)
	}
	e.Seen = append(e.Seen, ev)
	return ev, nil
}

// WaitFor reads events until one matches, and returns it; it fails after
// timeout, naming the events seen meanwhile.
func (e *Events) WaitFor(timeout time.Duration, what string, match func(messages.Event) bool) (messages.Event, error) {
	deadline := time.Now().Add(timeout)
	from := len(e.Seen)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return messages.Event{}, fmt.Errorf("%s: %s: no such event within %v; saw %s", e.host.Name, what, timeout, kinds(e.Seen[from:]))
		}
		ev, err := e.Next(left)
		if err != nil {
			return messages.Event{}, fmt.Errorf("%s: %w; saw %s", what, err, kinds(e.Seen[from:]))
		}
		if match(ev) {
			return ev, nil
		}
	}
}

// About returns the events seen so far about node, in order.
func (e *Events) About(node string) []messages.Event {
	var out []messages.Event
	for _, ev := range e.Seen {
		if ev.Node == node {
			out = append(out, ev)
		}
	}
	return out
}

func kinds(evs []messages.Event) string {
	s := make([]string, len(evs))
	for i, ev := range evs {
		s[i] = ev.Kind + " " + ev.Node
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// Close ends the stream as a client should (any line stops it; the status
// line follows) and closes the session.
func (e *Events) Close() error {
	defer e.c.Close()
	e.c.SetDeadline(time.Now().Add(DefaultQueryTimeout))
	if _, err := e.c.Write([]byte("\n")); err != nil {
		return nil
	}
	for {
		l, err := e.r.ReadString('\n')
		if err != nil || (strings.HasPrefix(l, ".") && !strings.HasPrefix(l, "..")) {
			return nil
		}
	}
}

// diskPart is the end of a disk event's line: LABEL (UUID), then maybe
// ": DETAIL".
var diskPart = regexp.MustCompile(`^(.*) \(([^()]*)\)(?:: (.*))?$`)

// parseEvent reads one line of a text `debug` stream:
// "15:04:05.000 KIND[ NODE][ LABEL (UUID)][: DETAIL]".
func parseEvent(l string) (messages.Event, error) {
	clock, rest, ok := strings.Cut(l, " ")
	at, err := time.ParseInLocation("15:04:05.000", clock, time.Local)
	if !ok || err != nil || strings.HasPrefix(l, ".") {
		return messages.Event{}, fmt.Errorf("debug line %q: not an event", l)
	}
	y, m, d := time.Now().Date()
	ev := messages.Event{Time: time.Date(y, m, d, at.Hour(), at.Minute(), at.Second(), at.Nanosecond(), time.Local)}
	ev.Kind, rest, _ = strings.Cut(rest, " ")
	if k, ok := strings.CutSuffix(ev.Kind, ":"); ok { // no node: "KIND: DETAIL"
		ev.Kind, ev.Detail = k, rest
		return ev, nil
	}
	if rest == "" {
		return ev, nil
	}
	end := strings.IndexAny(rest, " :")
	if end < 0 {
		ev.Node = rest
		return ev, nil
	}
	if rest[end] == ':' && strings.HasPrefix(rest[end:], ": ") {
		ev.Node, ev.Detail = rest[:end], rest[end+2:]
		return ev, nil
	}
	if rest[end] == ':' { // a colon inside the node name (an IPv6 address)
		if i := strings.Index(rest, ": "); i >= 0 && !strings.Contains(rest[:i], " ") {
			ev.Node, ev.Detail = rest[:i], rest[i+2:]
			return ev, nil
		}
		end = strings.IndexByte(rest, ' ')
		if end < 0 {
			ev.Node = rest
			return ev, nil
		}
	}
	ev.Node, rest = rest[:end], rest[end+1:]
	if p := diskPart.FindStringSubmatch(rest); p != nil {
		label := p[1]
		if u, err := strconv.Unquote(label); err == nil {
			label = u
		} else if label == "-" {
			label = ""
		}
		ev.Disk = &messages.Disk{Label: label, UUID: p[2]}
		if p[2] == "-" {
			ev.Disk.UUID = ""
		}
		ev.Detail = p[3]
		return ev, nil
	}
	ev.Detail = rest // not a disk: keep the text
	return ev, nil
}
