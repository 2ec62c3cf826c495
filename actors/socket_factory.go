package actors

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/actors/lock"
	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
)

// maxSessions bounds concurrent client connections; one more is told so
// and closed.
const maxSessions = 4096

// SocketFactory listens on the Unix socket and spawns one Session per
// connection, as a child that owns the connection. Its accept goroutine
// sends each new connection to the actor. A failing session is stopped, not
// restarted (a connection cannot be re-created); the factory itself is
// restarted by the daemon's supervisor and listens again on the same path.
// On stop it removes the socket file if it is still its own.
type SocketFactory struct {
	d       *deps
	log     *slog.Logger
	ln      *unixListener
	wg      sync.WaitGroup
	pending *connSet
	nextID  int
}

func newSocketFactoryProps(d *deps) *actor.Props {
	log := d.log.With("actor", "sockets")
	return actor.PropsFromProducer(func() actor.Actor {
		return &SocketFactory{d: d, log: log, pending: &connSet{m: map[net.Conn]struct{}{}}}
	}, actor.WithReceiverMiddleware(logPanics(d.log)), actor.WithSupervisor(&stopStrategy{health: d.health, log: log}))
}

// Receive handles one message.
func (a *SocketFactory) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		a.start(c)
	case *actor.Restarting:
		a.release(false)
	case *actor.Stopping:
		a.release(true)
	case *accepted:
		a.pending.remove(m.conn)
		a.handleAccepted(c, m.conn)
	case *acceptFailed:
		panic(fmt.Sprintf("accept: %v", m.err))
	case *messages.CheckHealth:
		c.Respond(&messages.Healthy{Part: "sockets"})
	}
}

func (a *SocketFactory) start(c actor.Context) {
	ln, ok := a.d.socket.take()
	if !ok {
		var err error
		if ln, err = listenUnix(a.d.cfg.Socket, socketAccessOf(a.d.cfg)); err != nil {
			panic(fmt.Sprintf("listen on %s: %v", a.d.cfg.Socket, err))
		}
	}
	a.ln = ln
	self, root := c.Self(), a.d.root
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		for {
			conn, err := ln.Accept()
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if err != nil {
				root.Send(self, &acceptFailed{err: err})
				return
			}
			a.pending.add(conn)
			root.Send(self, &accepted{conn: conn})
		}
	}()
}

// release closes the listener and joins the accept goroutine. Connections
// accepted but not yet adopted by a session are closed on stop; on restart
// they stay queued for the next instance.
func (a *SocketFactory) release(final bool) {
	if a.ln == nil {
		return
	}
	if final {
		a.ln.closeAndRemove()
	} else {
		a.ln.Close()
	}
	a.wg.Wait()
	if final {
		a.pending.closeAll()
	}
}

func (a *SocketFactory) handleAccepted(c actor.Context, conn net.Conn) {
	if len(c.Children()) >= maxSessions {
		// A new connection's send buffer is empty: this write cannot block,
		// and the deadline makes sure of it.
		conn.SetWriteDeadline(time.Now().Add(10 * time.Millisecond))
		fmt.Fprintf(conn, ".err busy %d sessions already open\n", maxSessions)
		conn.Close()
		if n := a.d.stats.sessions.busy.Add(1); n == 1 || n%1000 == 0 {
			a.log.Warn("session refused: too many sessions", "limit", maxSessions, "refused", n)
		}
		return
	}
	a.nextID++
	props := newSessionProps(a.d, conn)
	if _, err := c.SpawnNamed(props, fmt.Sprintf("session-%d", a.nextID)); err != nil {
		conn.Close()
		a.log.Error("spawn session", "error", err)
	}
}

// accepted carries a new connection from the accept goroutine.
type accepted struct{ conn net.Conn }

// acceptFailed carries the accept goroutine's fatal error into the actor.
type acceptFailed struct{ err error }

// connSet tracks connections between Accept and their session's start.
type connSet struct {
	mu sync.Mutex
	m  map[net.Conn]struct{}
}

func (s *connSet) add(c net.Conn) { s.mu.Lock(); s.m[c] = struct{}{}; s.mu.Unlock() }

func (s *connSet) remove(c net.Conn) { s.mu.Lock(); delete(s.m, c); s.mu.Unlock() }

func (s *connSet) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.m {
		c.Close()
		delete(s.m, c)
	}
}

// lockSocket takes <path>.lock for the daemon's life, so that a second
// daemon on the same socket fails before it touches the socket file: an
// error that matches ErrDaemonRunning and lock.ErrHeld and names the lock
// file and the PID that holds it.
func lockSocket(path string) (*lock.Lock, error) {
	l, err := lock.Acquire(path)
	if errors.Is(err, lock.ErrHeld) {
		return nil, fmt.Errorf("%w: %s: %w (stop it first, or choose another socket with --socket)", ErrDaemonRunning, path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("socket %s: %w", path, err)
	}
	return l, nil
}

// unixListener is the daemon's socket, with the identity of the file it
// created so that it never removes a file another daemon put there since.
type unixListener struct {
	*net.UnixListener
	path string
	fi   os.FileInfo
}

// socketAccess is who may connect: the socket file's mode and group.
type socketAccess struct {
	mode os.FileMode // permission bits; 0600 by default
	gid  int         // group to own the socket, -1 to keep the daemon's
}

// socketAccessOf reads socket_mode and socket_group; Validate has checked
// them, so an error here (a group removed since) keeps the daemon's group.
func socketAccessOf(cfg *config.Config) socketAccess {
	gid, err := cfg.SocketGID()
	if err != nil {
		gid = -1
	}
	return socketAccess{mode: cfg.SocketPerm(), gid: gid}
}

// listenUnix listens on path with access's mode and group. A stale socket file (nobody
// accepts on it) is replaced; a live daemon on it is ErrDaemonRunning (a
// daemon of a build without the lock, or one whose lock file was removed)
// and its socket is left alone; any other file there is left alone and
// reported. The caller holds the socket's lock (lockSocket).
func listenUnix(path string, access socketAccess) (*unixListener, error) {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, fmt.Errorf("%s exists and is not a socket; not replacing it", path)
		}
		conn, err := net.DialTimeout("unix", path, time.Second)
		if err == nil {
			conn.Close()
			return nil, fmt.Errorf("%w: %s (stop it first, or choose another socket with --socket)", ErrDaemonRunning, path)
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("socket %s: %w", path, err)
		}
	}
	// Bind under a temporary name, restrict it, then rename it into place,
	// so that the socket is never reachable with a wider mode and a stale
	// file is replaced atomically. Fall back to the path itself when the
	// temporary name would be too long for a socket address.
	tmp := fmt.Sprintf("%s.%d", path, os.Getpid())
	if len(tmp) > 107 {
		tmp = path
		os.Remove(path)
	}
	addr := &net.UnixAddr{Name: tmp, Net: "unix"}
	ln, err := net.ListenUnix("unix", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	ln.SetUnlinkOnClose(false)
	// Owner only first, then the group (chown) and only then its mode, so
	// that the group never reaches the socket before it is theirs.
	if err := os.Chmod(tmp, 0o600); err != nil {
		ln.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("chmod %s: %w", tmp, err)
	}
	if access.gid >= 0 {
		if err := os.Lchown(tmp, -1, access.gid); err != nil {
			ln.Close()
			os.Remove(tmp)
			return nil, fmt.Errorf("socket_group: chown %s to group %d: %w (the daemon must be root or a member of the group)", tmp, access.gid, err)
		}
	}
	if access.mode != 0 && access.mode != 0o600 {
		if err := os.Chmod(tmp, access.mode); err != nil {
			ln.Close()
			os.Remove(tmp)
			return nil, fmt.Errorf("socket_mode: chmod %s: %w", tmp, err)
		}
	}
	if tmp != path {
		if err := os.Rename(tmp, path); err != nil {
			ln.Close()
			os.Remove(tmp)
			return nil, fmt.Errorf("rename %s to %s: %w", tmp, path, err)
		}
	}
	fi, err := os.Lstat(path)
	if err != nil {
		ln.Close()
		return nil, err
	}
	return &unixListener{UnixListener: ln, path: path, fi: fi}, nil
}

// closeAndRemove closes the listener and removes the socket file if it is
// still the one this listener created.
func (l *unixListener) closeAndRemove() {
	l.Close()
	if fi, err := os.Lstat(l.path); err == nil && os.SameFile(fi, l.fi) {
		os.Remove(l.path)
	}
}
