package actors

import (
	"bufio"
	"errors"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/actors/render"
	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

// sessionLimits bound what one session holds for its client and how long it
// waits for it. Every bound has a counter in sessionCounters and a line in
// status.
type sessionLimits struct {
	// queueEvents and queueBytes bound the debug events queued for the
	// writer; an event over either is dropped, counted, and the client is
	// told how many when it catches up.
	queueEvents, queueBytes int
	// answerWait bounds how long the client may take no byte of an answer
	// (the greeting and the status line of a debug stream included); then
	// it is disconnected and counted. Events wait without a bound: a slow
	// debug client only loses events.
	answerWait time.Duration
	// drainWait bounds how long a stopping session waits for its writer to
	// write what is queued (an answer just given, such as the one to
	// "_panic session") before it closes the connection.
	drainWait time.Duration
}

// defaultSessionLimits: 4096 sessions × 64 KiB bound queued events at
// 256 MiB; answers need no bound of their own, as each session writes one
// before it reads the next line.
var defaultSessionLimits = sessionLimits{queueEvents: 256, queueBytes: 64 << 10,
	answerWait: 10 * time.Second, drainWait: 100 * time.Millisecond}

// after says what the writer does once a chunk is written.
type after int

const (
	thenNothing after = iota
	thenRelease       // let the reader read the next line
	thenEnd           // end the session (the answer to quit)
)

// outChunk is encoded bytes for the client, or an answer the writer renders
// piece by piece as it writes (a stream).
type outChunk struct {
	b      []byte
	stream render.Stream
	event  bool // a debug event: droppable, written without a deadline
	then   after
}

// outbox is the bounded queue between a Session (which only enqueues, so
// that no client can block an actor) and its writer goroutine.
type outbox struct {
	lim    sessionLimits
	mu     sync.Mutex
	q      []outChunk
	events int // queued events
	bytes  int // and their bytes
	// dropped counts events dropped since the client was last told; notice
	// encodes the line that tells it.
	dropped  int
	notice   func(n int) []byte
	draining bool // take ends once the queue is empty; nothing more is queued
	closed   bool
	wake     chan struct{}
}

func newOutbox(lim sessionLimits) *outbox {
	return &outbox{lim: lim, wake: make(chan struct{}, 1)}
}

// putLocked appends a chunk and wakes the writer; o.mu is held.
func (o *outbox) putLocked(ch outChunk) {
	if o.closed || o.draining {
		return
	}
	o.q = append(o.q, ch)
	if ch.event {
		o.events++
		o.bytes += len(ch.b)
	}
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// put queues an answer (never refused: one at a time per session).
func (o *outbox) put(b []byte, then after) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.putLocked(outChunk{b: b, then: then})
}

// putStream queues an answer that the writer renders as it writes it: the
// session holds one piece of it at a time (render.PieceSize), however
// large the answer.
func (o *outbox) putStream(st render.Stream, then after) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.putLocked(outChunk{stream: st, then: then})
}

// putEvent queues a debug event unless the queue is at its bound; it reports
// false when the event was dropped. notice encodes the line that tells the
// client how many events it missed; it is queued before the next event
// that fits, or by the writer as soon as the queue is empty.
// The event is encoded only when there is room: a flood costs a slow client
// no encoding.
func (o *outbox) putEvent(encode func() []byte, notice func(n int) []byte) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.notice = notice
	if o.events >= o.lim.queueEvents {
		o.dropped++
		return false
	}
	b := encode()
	if o.bytes+len(b) > o.lim.queueBytes {
		o.dropped++
		return false
	}
	o.flushNoticeLocked()
	o.putLocked(outChunk{b: b, event: true})
	return true
}

// endEvents queues the notice of events still untold and forgets the
// notice function: the stream is over.
func (o *outbox) endEvents() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushNoticeLocked()
	o.notice = nil
}

func (o *outbox) flushNoticeLocked() {
	if o.dropped > 0 && o.notice != nil {
		o.putLocked(outChunk{b: o.notice(o.dropped), event: true})
		o.dropped = 0
	}
}

// take waits for the next chunk; false once the outbox is closed.
func (o *outbox) take() (outChunk, bool) {
	for {
		o.mu.Lock()
		if o.closed {
			o.mu.Unlock()
			return outChunk{}, false
		}
		if len(o.q) == 0 {
			o.flushNoticeLocked() // the client caught up
		}
		if len(o.q) == 0 && o.draining {
			o.mu.Unlock()
			return outChunk{}, false
		}
		if len(o.q) > 0 {
			ch := o.q[0]
			o.q[0] = outChunk{}
			o.q = o.q[1:]
			if ch.event {
				o.events--
				o.bytes -= len(ch.b)
			}
			o.mu.Unlock()
			return ch, true
		}
		o.mu.Unlock()
		<-o.wake
	}
}

// drain lets take return what is queued, then end.
func (o *outbox) drain() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.draining = true
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// close drops what is queued and ends take.
func (o *outbox) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.closed {
		o.closed = true
		o.q = nil
		close(o.wake)
	}
}

// sessionIO is a session's two goroutines: the reader sends one line at a
// time to the actor and waits until its answer is written (so answers come
// in order and at most one waits); the writer writes what the outbox holds.
// Neither touches the actor's state; both end when the connection closes.
type sessionIO struct {
	conn     net.Conn
	out      *outbox
	lim      sessionLimits
	counters *sessionCounters
	log      *slog.Logger
	root     *actor.RootContext
	self     *actor.PID
	next     chan struct{} // the reader may read the next line
	quit     chan struct{}
	written  chan struct{} // closed when the writer ends
	piece    []byte        // the writer's buffer for a streamed answer
	wg       sync.WaitGroup
}

func (s *sessionIO) start() {
	s.written = make(chan struct{})
	s.wg.Add(2)
	go s.readLoop()
	go s.writeLoop()
}

// stop gives the writer up to lim.drainWait to write what is queued, then
// closes the connection (unblocking both goroutines) and joins them.
func (s *sessionIO) stop() {
	s.out.drain()
	t := time.NewTimer(s.lim.drainWait)
	select {
	case <-s.written:
	case <-t.C:
		s.counters.cutAtStop.Add(1)
	}
	t.Stop()
	close(s.quit)
	s.out.close()
	s.conn.Close()
	s.wg.Wait()
}

// release lets the reader read the next line.
func (s *sessionIO) release() {
	select {
	case s.next <- struct{}{}:
	default:
	}
}

func (s *sessionIO) readLoop() {
	defer s.wg.Done()
	br := bufio.NewReaderSize(s.conn, MaxCommandLine+1)
	for {
		line, tooLong, err := readCommandLine(br)
		if err != nil {
			s.root.Send(s.self, &sessionEnded{})
			return
		}
		s.root.Send(s.self, &sessionLine{text: line, tooLong: tooLong})
		select {
		case <-s.next:
		case <-s.quit:
			return
		}
	}
}

func (s *sessionIO) writeLoop() {
	defer s.wg.Done()
	defer close(s.written)
	for {
		ch, ok := s.out.take()
		if !ok {
			return
		}
		wait := s.lim.answerWait
		if ch.event {
			wait = 0
		} else {
			s.counters.writing.Add(1)
		}
		var err error
		if ch.stream != nil {
			err = s.writeStream(ch.stream, wait)
		} else {
			err = writeAll(s.conn, ch.b, wait)
		}
		if !ch.event {
			s.counters.writing.Add(-1)
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				s.counters.slowClients.Add(1)
				s.log.Info("client took no byte of its answer; disconnecting", "waited", wait)
			} else {
				s.log.Debug("client gone", "error", err)
			}
			s.root.Send(s.self, &sessionEnded{})
			return
		}
		switch ch.then {
		case thenRelease:
			s.release()
		case thenEnd:
			s.root.Send(s.self, &sessionEnded{})
			return
		}
	}
}

// writeStream renders and writes a streamed answer piece by piece, in one
// buffer that it keeps for the next; a client that takes no byte for wait
// fails it as it fails writeAll.
func (s *sessionIO) writeStream(st render.Stream, wait time.Duration) error {
	for more := true; more; {
		s.piece, more = st.Next(s.piece[:0])
		if err := writeAll(s.conn, s.piece, wait); err != nil {
			return err
		}
	}
	if cap(s.piece) > 2*render.PieceSize {
		s.piece = nil // a huge row passed: do not keep its buffer
	}
	return nil
}

// writeAll writes b; with wait > 0 it fails when the client takes no byte
// for that long (a client that reads slowly but steadily is served).
func writeAll(conn net.Conn, b []byte, wait time.Duration) error {
	for len(b) > 0 {
		var deadline time.Time
		if wait > 0 {
			deadline = time.Now().Add(wait)
		}
		if err := conn.SetWriteDeadline(deadline); err != nil {
			return err
		}
		n, err := conn.Write(b)
		b = b[n:]
		if err != nil && (n == 0 || !errors.Is(err, os.ErrDeadlineExceeded)) {
			return err
		}
	}
	return nil
}

// readCommandLine reads one line without its end; a line longer than
// MaxCommandLine is consumed to its end and reported as too long.
func readCommandLine(br *bufio.Reader) (string, bool, error) { return lineproto.ReadCommand(br) }
