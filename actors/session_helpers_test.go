package actors

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"golang.org/x/sys/unix"

	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
)

// sessionBed is one actor system per test with a fake Info (it answers
// list and status, and tells the test who subscribes) and deps for the
// parts under test.
type sessionBed struct {
	t     *testing.T
	sys   *actor.ActorSystem
	d     *deps
	subs  chan *actor.PID         // Subscribe senders
	unsub chan *actor.PID         // Unsubscribe senders
	view  *messages.InventoryView // what list gets, when set before the session
}

func newSessionBed(t *testing.T) *sessionBed {
	t.Helper()
	discard := slog.New(slog.DiscardHandler)
	sys := actor.NewActorSystem(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return discard }),
		actor.WithDeadLetterThrottleInterval(10*time.Millisecond))
	b := &sessionBed{t: t, sys: sys, subs: make(chan *actor.PID, 16), unsub: make(chan *actor.PID, 16)}
	info := sys.Root.Spawn(actor.PropsFromFunc(func(c actor.Context) {
		switch c.Message().(type) {
		case *messages.Subscribe:
			b.subs <- c.Sender()
			c.Respond(&messages.Subscribed{})
		case *messages.Unsubscribe:
			b.unsub <- c.Sender()
		case *messages.GetInventory:
			c.Respond(&messages.Inventory{Disks: []messages.NodeDisk{{Node: "t", Local: true,
				Disk: messages.Disk{UUID: "u-1", Label: "root", Device: "/dev/sda1", Type: "ext4"}}}})
		case *messages.GetInventoryView:
			if b.view != nil {
				c.Respond(b.view)
				return
			}
			c.Respond(&messages.InventoryView{Disks: 1, Nodes: []messages.NodeDisks{{Node: "t", Local: true,
				Disks: []messages.Disk{{UUID: "u-1", Label: "root", Device: "/dev/sda1", Type: "ext4"}}}}})
		case *messages.GetStatus:
			c.Respond(&messages.Status{Node: "t", Sessions: b.d.stats.sessionStats()})
		}
	}))
	cfg := config.Fast()
	cfg.Node = "t"
	cfg.Socket = t.TempDir() + "/s"
	b.d = &deps{cfg: cfg, id: identity{Node: "t", Version: "test"}, log: discard, root: sys.Root,
		pids: pids{info: info}, stats: newStats(), health: newHealth(), now: time.Now}
	t.Cleanup(func() {
		if err := sys.Root.StopFuture(info).Wait(); err != nil {
			t.Errorf("stop fake info: %v", err)
		}
		sys.Shutdown()
	})
	return b
}

// session spawns a Session on one end of a socketpair and returns the
// other end.
func (b *sessionBed) session(lim sessionLimits) (*actor.PID, *client) {
	b.t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		b.t.Fatal(err)
	}
	srv, cli := fileConn(b.t, fds[0]), fileConn(b.t, fds[1])
	return b.spawn(lim, srv, cli)
}

// pipeSession spawns a Session on one end of a net.Pipe: no buffer, so a
// client that does not read blocks the writer at once.
func (b *sessionBed) pipeSession(lim sessionLimits) (*actor.PID, *client) {
	b.t.Helper()
	srv, cli := net.Pipe()
	return b.spawn(lim, srv, cli)
}

func fileConn(t *testing.T, fd int) net.Conn {
	f := os.NewFile(uintptr(fd), "socketpair")
	defer f.Close()
	c, err := net.FileConn(f)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (b *sessionBed) spawn(lim sessionLimits, srv, cli net.Conn) (*actor.PID, *client) {
	pid := b.sys.Root.Spawn(newSessionPropsWith(b.d, srv, lim))
	b.t.Cleanup(func() {
		cli.Close()
		if err := b.sys.Root.StopFuture(pid).Wait(); err != nil {
			b.t.Errorf("stop session: %v", err)
		}
	})
	return pid, &client{t: b.t, c: cli, r: bufio.NewReader(cli)}
}

// counter polls a counter until it reaches want.
func waitCount[T int64 | uint64](t *testing.T, what string, load func() T, want T) {
	t.Helper()
	waitFor(t, what, func() bool { return load() >= want })
	if got := load(); got != want {
		t.Fatalf("%s: got %d, want %d", what, got, want)
	}
}

// client is the test's end of a session.
type client struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func (c *client) send(s string) {
	c.t.Helper()
	c.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c.c, s); err != nil {
		c.t.Fatalf("send %.40q: %v", s, err)
	}
}

// line reads one line, without its end.
func (c *client) line() string {
	c.t.Helper()
	c.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	l, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("read a line: %v (got %q)", err, l)
	}
	return strings.TrimSuffix(l, "\n")
}

// answer reads data lines (un-stuffed) up to the status line.
func (c *client) answer() ([]string, string) {
	c.t.Helper()
	var lines []string
	for {
		l := c.line()
		switch {
		case strings.HasPrefix(l, ".."):
			lines = append(lines, l[1:])
		case strings.HasPrefix(l, "."):
			return lines, l
		default:
			lines = append(lines, l)
		}
	}
}

// eof reports whether the daemon closed the connection (nothing more comes).
func (c *client) eof() bool {
	c.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := c.r.ReadByte()
	return err == io.EOF
}

func newLineReader(c net.Conn) *bufio.Reader { return bufio.NewReader(c) }
