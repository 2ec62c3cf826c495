package actors

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/actors/render"
	"github.com/diskd-actors/diskd-actors/messages"
)

// bigView is n disks on peers of 100 each.
func bigView(n int) *messages.InventoryView {
	v := &messages.InventoryView{Disks: n}
	for i := 0; i < n; i += 100 {
		nd := messages.NodeDisks{Node: fmt.Sprintf("peer%03d", i/100)}
		for k := i; k < min(n, i+100); k++ {
			nd.Disks = append(nd.Disks, messages.Disk{UUID: fmt.Sprintf("%08x-0000-4000-8000-000000000001", k),
				Label: fmt.Sprintf("disk %d", k), Device: "/dev/sdb1", Type: "ext4"})
		}
		v.Nodes = append(v.Nodes, nd)
	}
	return v
}

// "list --json" of many disks through a session is the JSON array of the
// whole inventory, on one line, valid, with the same bytes json.Marshal
// gives; the text table has a row a disk.
func TestSession_ListStreamsTheWholeInventory(t *testing.T) {
	b := newSessionBed(t)
	b.view = bigView(5000)
	_, cl := b.session(testLimits)
	cl.line()
	cl.send("list --json\nlist\n")
	lines, st := cl.answer()
	if st != ".ok 5000 disks" || len(lines) != 1 {
		t.Fatalf("list --json: got %d lines and %q, want one line and .ok 5000 disks", len(lines), st)
	}
	var all []messages.NodeDisk
	b.view.Each(func(nd messages.NodeDisk) bool { all = append(all, nd); return true })
	want, err := json.Marshal(all)
	if err != nil || lines[0] != string(want) {
		t.Errorf("list --json: %d bytes differ from json.Marshal's %d (%v)", len(lines[0]), len(want), err)
	}
	if lines, st := cl.answer(); st != ".ok 5000 disks" || len(lines) != 5001 || !strings.HasPrefix(lines[0], "NODE") {
		t.Errorf("list: got %d lines and %q, want a header, 5000 rows, .ok 5000 disks", len(lines), st)
	}
}

// countingStream counts the pieces rendered.
type countingStream struct {
	render.Stream
	n *atomic.Int32
}

func (c countingStream) Next(b []byte) ([]byte, bool) {
	c.n.Add(1)
	return c.Stream.Next(b)
}

// The writer renders a streamed answer as the client takes it: one piece
// ahead of what the client read at most, so what a session holds is
// bounded by the piece, not by the answer.
func TestSessionIO_StreamRendersAsTheClientReads(t *testing.T) {
	srv, cli := net.Pipe() // no buffer: a write waits for the reader
	defer cli.Close()
	io := &sessionIO{conn: srv, out: newOutbox(testLimits), lim: testLimits, counters: &sessionCounters{},
		log: testLog(), next: make(chan struct{}, 1), quit: make(chan struct{})}
	io.written = make(chan struct{})
	io.wg.Add(1)
	go io.writeLoop()
	var n atomic.Int32
	io.out.putStream(countingStream{render.ListStream(bigView(20000), true), &n}, thenRelease)
	buf := make([]byte, render.PieceSize)
	read := 0
	for range 5 {
		k, err := cli.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		read += k
		if got, most := int(n.Load()), read/render.PieceSize+2; got > most {
			t.Fatalf("after %d bytes read: %d pieces rendered, want at most %d", read, got, most)
		}
	}
	var tail []byte
	for !strings.HasSuffix(string(tail), "]\n.ok 20000 disks\n") {
		k, err := cli.Read(buf)
		if err != nil {
			t.Fatalf("after %d bytes: %v", read, err)
		}
		read += k
		tail = append(tail, buf[:k]...)
		tail = tail[max(0, len(tail)-64):]
	}
	<-io.next // the answer is written: the reader may read the next line
	if got, want := int(n.Load()), read/render.PieceSize; got < want {
		t.Errorf("%d bytes in %d pieces, want about %d", read, got, want)
	}
	io.out.close()
	io.wg.Wait()
	srv.Close()
}

// A client that stops reading in the middle of a streamed answer is
// disconnected after answerWait and counted, like any slow client; the
// session ends.
func TestSession_SlowClientMidStreamDisconnected(t *testing.T) {
	b := newSessionBed(t)
	b.view = bigView(20000)
	lim := testLimits
	lim.answerWait = 50 * time.Millisecond
	// A socket pair: what the writer wrote before the cut stays readable,
	// so a test descheduled for longer than answerWait still reads it.
	_, cl := b.session(lim)
	cl.line()
	cl.send("list --json\n")
	if _, err := io.ReadFull(cl.r, make([]byte, 64<<10)); err != nil { // then reads no more
		t.Fatalf("read the start of the answer: %v", err)
	}
	waitCount(t, "slow clients", b.d.stats.sessions.slowClients.Load, 1)
	waitCount(t, "open sessions", func() int64 { return -b.d.stats.sessions.open.Load() }, 0)
	cl.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, cl.r); err != nil {
		t.Errorf("after the disconnect: %v, want EOF", err)
	}
}
