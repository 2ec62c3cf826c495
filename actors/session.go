package actors

import (
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/actors/render"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

// Session limits.
const (
	// MaxCommandLine bounds one command line, in bytes; a longer line is
	// answered with ".err too-long" and skipped to its end.
	MaxCommandLine = lineproto.MaxCommandLine
	// queryTimeout bounds a question to another part.
	queryTimeout = 5 * time.Second
)

// Session serves one client connection: it greets, reads one command per
// line, and answers each before reading the next (its reader goroutine
// waits until the answer is written, so answers come in order). It never
// writes to the socket itself: Receive encodes and queues, and a writer
// goroutine of its own writes (see sessionIO and sessionLimits), so no
// client can block it or Stop. It ends on EOF, quit or exit, a write error,
// or a client that takes no byte of an answer within the bound; a panic
// stops it (see SocketFactory).
//
// While "debug" streams, the next line from the client ends the stream (that
// line is consumed) and the lines after it are read and run in order.
type Session struct {
	d    *deps
	lim  sessionLimits
	log  *slog.Logger
	conn net.Conn
	io   *sessionIO
	up   bool // Started ran; the goroutines are to be joined

	// debug streaming: events are queued as they come until a line arrives
	streaming, streamJSON bool
	streamed              int
	notice                func(n int) []byte // the line telling of n dropped events
}

func newSessionProps(d *deps, conn net.Conn) *actor.Props {
	return newSessionPropsWith(d, conn, defaultSessionLimits)
}

// newSessionPropsWith lets tests shrink the bounds.
func newSessionPropsWith(d *deps, conn net.Conn, lim sessionLimits) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &Session{d: d, lim: lim, conn: conn}
	}, actor.WithReceiverMiddleware(logPanics(d.log)))
}

// Receive handles one message.
func (a *Session) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		a.start(c)
	case *actor.Stopping, *actor.Restarting:
		a.stop()
	case *sessionLine:
		if a.streaming {
			a.stopDebug(c)
			return
		}
		a.handleLine(c, m)
	case *messages.Subscribed:
		a.streaming = true
		if !a.streamJSON {
			a.io.out.put(encodeLines(render.DebugBanner), thenNothing)
		}
		a.done() // the next line from the client ends the stream
	case *messages.Event:
		if a.streaming {
			a.queueEvent(m)
		}
	case *sessionEnded:
		c.Stop(c.Self())
	}
}

func (a *Session) start(c actor.Context) {
	a.log = a.d.log.With("actor", "session", "id", c.Self().GetId())
	a.io = &sessionIO{conn: a.conn, out: newOutbox(a.lim), lim: a.lim, counters: &a.d.stats.sessions,
		log: a.log, root: a.d.root, self: c.Self(), next: make(chan struct{}, 1), quit: make(chan struct{})}
	a.up = true
	a.d.stats.sessions.open.Add(1)
	a.io.out.put([]byte(fmt.Sprintf("diskd-actors %s on %s ready (line protocol 1); type \"help\"\n", a.d.id.Version, a.d.id.Node)), thenNothing)
	a.io.start()
}

// stop closes the connection and joins both goroutines, in Stopping and in
// Restarting alike (a connection cannot be re-created).
func (a *Session) stop() {
	if !a.up {
		a.conn.Close()
		return
	}
	a.up = false
	a.io.stop()
	a.d.stats.sessions.open.Add(-1)
}

// done lets the reader read the next line (for lines that get no answer).
func (a *Session) done() { a.io.release() }

// reply queues an answer's data lines and its status line; the reader reads
// the next line once the writer has written them. It reports false when the
// session ends after this answer.
func (a *Session) reply(c actor.Context, ans *answer) bool {
	if ans.code == "too-long" {
		a.d.stats.sessions.tooLong.Add(1)
	}
	if ans.closeAfter {
		a.io.out.put(encodeAnswer(ans), thenEnd)
		return false
	}
	a.io.out.put(encodeAnswer(ans), thenRelease)
	return true
}

// encodeAnswer encodes data lines (dot-stuffed: only the status line starts
// with one dot) and the status line (messages/lineproto).
func encodeAnswer(ans *answer) []byte { return lineproto.AppendAnswer(nil, ans.proto()) }

// encodeLines encodes data lines, dot-stuffed.
func encodeLines(lines ...string) []byte {
	var b []byte
	for _, l := range lines {
		b = lineproto.AppendData(b, l)
	}
	return b
}

// startDebug subscribes to Info's events; Subscribed starts the stream.
func (a *Session) startDebug(c actor.Context, jsonOut bool) {
	a.streamJSON, a.streamed = jsonOut, 0
	now := a.d.now
	a.notice = func(n int) []byte { // called by the writer too: it holds values only
		return encodeEvent(&messages.Event{Time: now(), Kind: messages.EventsDropped,
			Detail: fmt.Sprintf("%s not sent: this client did not keep up", plural(n, "event"))}, jsonOut)
	}
	c.Request(a.d.pids.info, &messages.Subscribe{})
}

// stopDebug ends the stream on the client's next line, which is consumed:
// the events still queued, the count of those dropped since the client was
// last told, then the status line ".ok N events".
func (a *Session) stopDebug(c actor.Context) {
	c.Request(a.d.pids.info, &messages.Unsubscribe{})
	a.streaming = false
	a.io.out.endEvents()
	a.reply(c, &answer{summary: plural(a.streamed, "event")})
}

// queueEvent queues one event, or drops and counts it when the client is
// behind by the queue's bound.
func (a *Session) queueEvent(e *messages.Event) {
	jsonOut := a.streamJSON
	if a.io.out.putEvent(func() []byte { return encodeEvent(e, jsonOut) }, a.notice) {
		a.streamed++
		return
	}
	a.d.stats.sessions.eventsDropped.Add(1)
}

// encodeEvent encodes one event as its stream line (actors/render).
func encodeEvent(e *messages.Event, jsonOut bool) []byte {
	line, ok := render.Event(e, jsonOut)
	if !ok {
		return nil
	}
	return encodeLines(line)
}

// ask sends a query to a part and answers the client from its reply,
// without blocking the actor while it waits.
func (a *Session) ask(c actor.Context, to *actor.PID, q any, timeout time.Duration, render func(any) *answer) {
	f := c.RequestFuture(to, q, timeout)
	c.ReenterAfter(f, func(res any, err error) {
		if err != nil {
			a.reply(c, errAnswer("unavailable", fmt.Sprintf("the daemon did not answer in time (%v)", err)))
			return
		}
		a.reply(c, render(res))
	})
}

// sessionLine is one command line from the reader goroutine.
type sessionLine struct {
	text    string
	tooLong bool
}

// sessionEnded tells the actor that the client closed the connection, was
// disconnected, or was answered its quit.
type sessionEnded struct{}
