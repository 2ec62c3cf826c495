package actors

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/messages"
)

var testLimits = sessionLimits{queueEvents: 256, queueBytes: 64 << 10, answerWait: 5 * time.Second, drainWait: 100 * time.Millisecond}

// Commands sent together are answered in order, a blank line gets no
// answer, and quit answers then closes.
func TestSession_AnswersInOrder(t *testing.T) {
	b := newSessionBed(t)
	_, cl := b.session(testLimits)
	if g := cl.line(); !strings.HasPrefix(g, "diskd-actors test on t ready") {
		t.Fatalf("greeting: got %q", g)
	}
	cl.send("help\n\nlist\nnonsense\n" + strings.Repeat("x", MaxCommandLine+1) + "\nlist --json\nquit\n")
	if lines, st := cl.answer(); st != ".ok" || len(lines) != len(commandHelp) {
		t.Errorf("help: got %d lines and %q, want %d lines and .ok", len(lines), st, len(commandHelp))
	}
	if lines, st := cl.answer(); st != ".ok 1 disk" || len(lines) != 2 || !strings.Contains(lines[1], "root") {
		t.Errorf("list: got %q %q, want a header, the disk root, .ok 1 disk", lines, st)
	}
	if _, st := cl.answer(); !strings.HasPrefix(st, ".err unknown-command") {
		t.Errorf("nonsense: got %q, want .err unknown-command", st)
	}
	if _, st := cl.answer(); !strings.HasPrefix(st, ".err too-long") {
		t.Errorf("long line: got %q, want .err too-long", st)
	}
	var disks []messages.NodeDisk
	if lines, st := cl.answer(); st != ".ok 1 disk" || len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &disks) != nil {
		t.Errorf("list --json: got %q %q, want one JSON line", lines, st)
	}
	if _, st := cl.answer(); st != ".ok bye" {
		t.Errorf("quit: got %q, want .ok bye", st)
	}
	if !cl.eof() {
		t.Errorf("after quit: the connection is still open")
	}
	if got := b.d.stats.sessions.tooLong.Load(); got != 1 {
		t.Errorf("lines too long: got %d, want 1", got)
	}
	waitCount(t, "open sessions", func() int64 { return -b.d.stats.sessions.open.Load() }, 0)
}

// Any line ends a debug stream; it is consumed, and the lines sent after
// it (in the same write) run in order.
func TestSession_DebugEndedByALineThenCommandsRun(t *testing.T) {
	for _, tc := range []struct{ name, start, stop string }{
		{"text, empty line", "debug\n", "\n"},
		{"json, a command", "debug --json\n", "list\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newSessionBed(t)
			pid, cl := b.session(testLimits)
			cl.line()
			cl.send(tc.start)
			sub := <-b.subs
			if !sub.Equal(pid) {
				t.Fatalf("subscriber: got %v, want the session %v", sub, pid)
			}
			jsonOut := strings.Contains(tc.start, "--json")
			if !jsonOut {
				if l := cl.line(); l != "streaming events; send any line to stop" {
					t.Fatalf("first stream line: got %q", l)
				}
			}
			for i := range 3 {
				b.sys.Root.Send(pid, &messages.Event{Time: time.Now(), Kind: messages.EventPeerUp, Node: fmt.Sprint("n", i)})
			}
			for i := range 3 {
				l := cl.line()
				var ev messages.Event
				if ok := jsonOut && json.Unmarshal([]byte(l), &ev) == nil || !jsonOut && strings.Contains(l, " peer_up "); !ok {
					t.Fatalf("event %d: got %q", i, l)
				}
			}
			cl.send(tc.stop + "help\nlist\n")
			if lines, st := cl.answer(); st != ".ok 3 events" || len(lines) != 0 {
				t.Fatalf("end of stream: got %q %q, want .ok 3 events", lines, st)
			}
			if got := <-b.unsub; !got.Equal(pid) {
				t.Errorf("unsubscribed: got %v, want %v", got, pid)
			}
			if lines, st := cl.answer(); st != ".ok" || len(lines) != len(commandHelp) {
				t.Errorf("help after the stream: got %d lines, %q", len(lines), st)
			}
			if _, st := cl.answer(); st != ".ok 1 disk" {
				t.Errorf("list after the stream: got %q, want .ok 1 disk", st)
			}
			// Events still in flight after the stream are not written.
			b.sys.Root.Send(pid, &messages.Event{Time: time.Now(), Kind: messages.EventPeerUp, Node: "late"})
			cl.send("list\n")
			if lines, st := cl.answer(); st != ".ok 1 disk" || len(lines) != 2 {
				t.Errorf("list after a late event: got %q %q", lines, st)
			}
		})
	}
}

// A debug client that does not keep up loses events, never blocks the
// session, and is told how many it lost; every event is either written or
// counted in the notice.
func TestSession_DebugQueueOverflowDropsAndTells(t *testing.T) {
	b := newSessionBed(t)
	lim := testLimits
	lim.queueEvents = 4
	pid, cl := b.pipeSession(lim)
	cl.line()
	cl.send("debug\n")
	<-b.subs
	cl.line() // streaming events…
	const sent = 50
	for i := range sent {
		b.sys.Root.Send(pid, &messages.Event{Time: time.Now(), Kind: messages.EventPeerUp, Node: fmt.Sprint("n", i)})
	}
	// The client reads nothing: one event in the writer's hands and four
	// queued at most, the rest dropped.
	waitFor(t, "events dropped", func() bool { return b.d.stats.sessions.eventsDropped.Load() >= sent-5 })
	cl.send("\n")
	written, told := 0, 0
	for {
		l := cl.line()
		if strings.HasPrefix(l, ".") {
			if want := fmt.Sprintf(".ok %d events", written); l != want {
				t.Errorf("end of stream: got %q, want %q", l, want)
			}
			break
		}
		f := strings.Fields(l)
		switch {
		case len(f) >= 3 && f[1] == messages.EventsDropped+":":
			n, err := strconv.Atoi(f[2])
			if err != nil || !strings.Contains(l, "not sent: this client did not keep up") {
				t.Fatalf("drop notice: got %q", l)
			}
			told += n
		case len(f) == 3 && f[1] == messages.EventPeerUp:
			written++
		default:
			t.Fatalf("stream line: got %q", l)
		}
	}
	dropped := int(b.d.stats.sessions.eventsDropped.Load())
	if told != dropped || written+dropped != sent || dropped < sent-5 {
		t.Errorf("written %d, told of %d dropped, counted %d: want written+dropped = %d, told = counted ≥ %d", written, told, dropped, sent, sent-5)
	}
}

// A client that takes no byte of an answer within the bound is
// disconnected and counted; the session ends.
func TestSession_SlowClientDisconnected(t *testing.T) {
	b := newSessionBed(t)
	lim := testLimits
	lim.answerWait = 20 * time.Millisecond
	_, cl := b.pipeSession(lim)
	cl.line()
	cl.send("help\n")
	waitCount(t, "slow clients", b.d.stats.sessions.slowClients.Load, 1)
	if !cl.eof() {
		t.Errorf("a slow client is still connected")
	}
	waitCount(t, "open sessions", func() int64 { return -b.d.stats.sessions.open.Load() }, 0)
}

// A session whose client never reads stops at once (its writer is blocked
// in a write; stopping closes the connection under it).
func TestSession_StopsWhileItsClientNeverReads(t *testing.T) {
	b := newSessionBed(t)
	lim := testLimits
	lim.answerWait = time.Hour
	pids := make([]*actor.PID, 20)
	for i := range pids {
		pids[i], _ = b.pipeSession(lim) // nobody reads the greeting
	}
	waitCount(t, "answers being written", b.d.stats.sessions.writing.Load, int64(len(pids)))
	futures := make([]*actor.Future, len(pids))
	for i, pid := range pids {
		futures[i] = b.sys.Root.StopFuture(pid)
	}
	for _, f := range futures {
		if err := f.Wait(); err != nil {
			t.Fatalf("stop: %v", err)
		}
	}
	if got := b.d.stats.sessions.open.Load(); got != 0 {
		t.Errorf("open sessions after stop: got %d, want 0", got)
	}
	if got := b.d.stats.sessions.cutAtStop.Load(); got != uint64(len(pids)) {
		t.Errorf("sessions cut short at stop: got %d, want %d", got, len(pids))
	}
}

// A stopping session first lets its writer finish what is queued (within
// drainWait): an answer given just before the stop still reaches a client
// that reads.
func TestSession_StopWritesTheQueuedAnswer(t *testing.T) {
	b := newSessionBed(t)
	lim := testLimits
	lim.drainWait = time.Minute
	pid, cl := b.pipeSession(lim)
	cl.line()
	// The greeting counts as an answer being written until its Write
	// returns, which may be just after the client read it.
	waitFor(t, "greeting written", func() bool { return b.d.stats.sessions.writing.Load() == 0 })
	cl.send("help\n")
	waitCount(t, "answers being written", b.d.stats.sessions.writing.Load, 1)
	stopped := b.sys.Root.StopFuture(pid)
	if lines, st := cl.answer(); st != ".ok" || len(lines) != len(commandHelp) {
		t.Errorf("answer during the stop: got %d lines, %q", len(lines), st)
	}
	if err := stopped.Wait(); err != nil {
		t.Fatal(err)
	}
	if !cl.eof() {
		t.Errorf("after the stop: the connection is still open")
	}
	if got := b.d.stats.sessions.cutAtStop.Load(); got != 0 {
		t.Errorf("sessions cut short at stop: got %d, want 0", got)
	}
}

// A panic restarts the session under a default supervisor: the old
// instance's goroutines are joined, the connection is closed (it cannot be
// re-created) and the new instance ends.
func TestSession_RestartingReleasesTheConnection(t *testing.T) {
	b := newSessionBed(t)
	pid, cl := b.session(testLimits)
	cl.line()
	b.sys.Root.Send(pid, &messages.Crash{})
	if !cl.eof() {
		t.Errorf("after a panic: the connection is still open")
	}
	waitCount(t, "open sessions", func() int64 { return -b.d.stats.sessions.open.Load() }, 0)
}
