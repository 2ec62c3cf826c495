package actors

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/messages"
)

// Session limits.
const (
	// MaxCommandLine bounds one command line, in bytes; a longer line is
	// answered with ".err too-long" and skipped to its end.
	MaxCommandLine = 4096
	// writeTimeout bounds one answer's write, so that a client that stops
	// reading cannot hold its session forever.
	writeTimeout = 10 * time.Second
	// queryTimeout bounds a question to another part.
	queryTimeout = 5 * time.Second
)

// Session serves one client connection: it greets, reads one command per
// line, and answers each before reading the next (its reader goroutine
// waits for the answer, so answers come in order). It ends on EOF, quit or
// exit, or a write error; a panic stops it (see SocketFactory).
type Session struct {
	d    *deps
	log  *slog.Logger
	conn net.Conn
	w    *bufio.Writer
	next chan struct{} // the actor lets the reader read the next line
	quit chan struct{}
	wg   sync.WaitGroup
	once sync.Once

	// debug streaming: events are written as they come until a line arrives
	streaming, streamJSON bool
	streamed              int
}

func newSessionProps(d *deps, conn net.Conn) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &Session{d: d, conn: conn, w: bufio.NewWriter(conn),
			next: make(chan struct{}, 1), quit: make(chan struct{})}
	}, actor.WithReceiverMiddleware(logPanics(d.log)))
}

// Receive handles one message.
func (a *Session) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		a.log = a.d.log.With("actor", "session", "id", c.Self().GetId())
		a.greet(c)
	case *actor.Stopping, *actor.Restarting:
		a.once.Do(func() { close(a.quit) })
		a.conn.Close()
		a.wg.Wait()
	case *sessionLine:
		if a.streaming {
			a.stopDebug(c)
			return
		}
		a.handleLine(c, m)
	case *messages.Subscribed:
		a.streaming = true
		if !a.streamJSON {
			a.writeLine("streaming events; send any line to stop")
		}
		if a.flush(c) {
			a.done() // the next line from the client ends the stream
		}
	case *messages.Event:
		if a.streaming {
			a.writeEvent(m)
			a.streamed++
			a.flush(c)
		}
	case *sessionEnded:
		c.Stop(c.Self())
	}
}

func (a *Session) greet(c actor.Context) {
	fmt.Fprintf(a.w, "diskd-actors %s on %s ready (line protocol 1); type \"help\"\n", a.d.id.Version, a.d.id.Node)
	if !a.flush(c) {
		return
	}
	self, root := c.Self(), a.d.root
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		br := bufio.NewReaderSize(a.conn, MaxCommandLine+1)
		for {
			line, tooLong, err := readCommandLine(br)
			if err != nil {
				root.Send(self, &sessionEnded{})
				return
			}
			root.Send(self, &sessionLine{text: line, tooLong: tooLong})
			select {
			case <-a.next:
			case <-a.quit:
				return
			}
		}
	}()
}

// readCommandLine reads one line without its end; a line longer than
// MaxCommandLine is consumed to its end and reported as too long.
func readCommandLine(br *bufio.Reader) (string, bool, error) {
	line, err := br.ReadSlice('\n')
	if err == nil || (errors.Is(err, io.EOF) && len(line) > 0) {
		return trimEOL(string(line)), false, nil
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		return "", false, err
	}
	for errors.Is(err, bufio.ErrBufferFull) {
		_, err = br.ReadSlice('\n')
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, err
	}
	return "", true, nil
}

func trimEOL(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}

// done lets the reader read the next line.
func (a *Session) done() {
	select {
	case a.next <- struct{}{}:
	default:
	}
}

// reply writes an answer's data lines and its status line, then lets the
// reader go on. It reports false when the client is gone (the session then
// stops).
func (a *Session) reply(c actor.Context, ans *answer) bool {
	for _, l := range ans.lines {
		a.writeLine(l)
	}
	a.w.WriteString(ans.status())
	a.w.WriteByte('\n')
	if !a.flush(c) {
		return false
	}
	if ans.closeAfter {
		c.Stop(c.Self())
		return false
	}
	a.done()
	return true
}

// writeLine buffers one data line.
func (a *Session) writeLine(l string) {
	if len(l) > 0 && l[0] == '.' {
		a.w.WriteByte('.') // dot-stuffing: only the status line starts with one dot
	}
	a.w.WriteString(l)
	a.w.WriteByte('\n')
}

// startDebug subscribes to Info's events; Subscribed starts the stream.
func (a *Session) startDebug(c actor.Context, jsonOut bool) {
	a.streamJSON, a.streamed = jsonOut, 0
	c.Request(a.d.pids.info, &messages.Subscribe{})
}

// stopDebug ends the stream on the client's next line, which is consumed.
func (a *Session) stopDebug(c actor.Context) {
	c.Request(a.d.pids.info, &messages.Unsubscribe{})
	a.streaming = false
	a.reply(c, &answer{summary: plural(a.streamed, "event")})
}

func (a *Session) writeEvent(e *messages.Event) {
	if a.streamJSON {
		b, err := json.Marshal(e)
		if err == nil {
			a.writeLine(string(b))
		}
		return
	}
	line := e.Time.Format("15:04:05.000") + " " + e.Kind
	if e.Node != "" {
		line += " " + e.Node
	}
	if e.Disk != nil {
		line += " " + displayValue(e.Disk.Label) + " (" + displayValue(e.Disk.UUID) + ")"
	}
	if e.Detail != "" {
		line += ": " + oneLine(e.Detail)
	}
	a.writeLine(line)
}

func (a *Session) flush(c actor.Context) bool {
	a.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	if err := a.w.Flush(); err != nil {
		a.log.Debug("client gone", "error", err)
		c.Stop(c.Self())
		return false
	}
	return true
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

// sessionEnded tells the actor that the client closed the connection.
type sessionEnded struct{}
