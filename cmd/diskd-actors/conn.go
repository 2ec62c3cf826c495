package main

// The client side of the socket protocol. Framing, dot-stuffing, status
// lines and their limits are messages/lineproto's, shared with the daemon;
// this file connects, explains failures and runs commands, streaming ones
// included (stream.go).

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/user"
	"strconv"
	"syscall"
	"time"

	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

// dialTimeout bounds connecting and waiting for the greeting.
const dialTimeout = 5 * time.Second

// errClosed reports a connection that ended before an answer was complete.
var errClosed = lineproto.ErrClosed

// conn is one client connection to the daemon.
type conn struct {
	nc net.Conn
	r  *lineproto.Reader
}

// dial connects to the daemon and reads its greeting, turning the usual
// failures into advice the user can act on.
func dial(socket string, timeout time.Duration) (*conn, string, error) {
	nc, err := net.DialTimeout("unix", socket, timeout)
	if err != nil {
		return nil, "", dialError(socket, err)
	}
	c := &conn{nc: nc, r: lineproto.NewReader(nc)}
	_ = nc.SetReadDeadline(time.Now().Add(timeout))
	greeting, err := c.r.ReadLine()
	_ = nc.SetReadDeadline(time.Time{})
	if err != nil {
		nc.Close()
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, "", fmt.Errorf("daemon at %s sent no greeting within %v", socket, timeout)
		}
		return nil, "", fmt.Errorf("reading greeting from %s: %w", socket, err)
	}
	// A daemon that turns a client away (too many clients, say) answers
	// with a status line instead of a greeting.
	if _, err := lineproto.ParseGreeting(greeting); err != nil {
		nc.Close()
		return nil, "", err
	}
	return c, greeting, nil
}

// dialError explains a failed connect in terms of the daemon's state.
func dialError(socket string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("daemon not running: no socket at %s (start it with \"diskd-actors daemon\")", socket)
	case errors.Is(err, syscall.ECONNREFUSED):
		if fi, serr := os.Stat(socket); serr == nil && fi.Mode().Type() != fs.ModeSocket {
			return fmt.Errorf("cannot connect: %s is not a socket", socket)
		}
		return fmt.Errorf("daemon not running: %s is a stale socket", socket)
	case errors.Is(err, fs.ErrPermission):
		return permissionError(socket)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("daemon at %s did not accept the connection in time", socket)
	}
	return fmt.Errorf("cannot connect to daemon at %s: %w", socket, err)
}

// permissionError says who may use the socket and what to do: run as its
// owner or with sudo, or have the daemon open it to a group.
func permissionError(socket string) error {
	const advice = "run as its owner or with sudo, or let your group in with the daemon's socket_group and socket_mode (docs/operations.md)"
	fi, err := os.Stat(socket)
	if err != nil {
		return fmt.Errorf("permission denied connecting to %s: a directory on its path is closed to you; %s", socket, advice)
	}
	owner := "?"
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		owner = userName(st.Uid) + ":" + groupName(st.Gid)
	}
	return fmt.Errorf("permission denied connecting to %s (mode %s, owner %s; you are %s); %s",
		socket, fi.Mode(), owner, userName(uint32(os.Getuid())), advice)
}

func userName(uid uint32) string {
	id := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(id); err == nil {
		return u.Username
	}
	return id
}

func groupName(gid uint32) string {
	id := strconv.FormatUint(uint64(gid), 10)
	if g, err := user.LookupGroupId(id); err == nil {
		return g.Name
	}
	return id
}

// send writes one command line. The caller has checked it with
// lineproto.CheckCommand.
func (c *conn) send(line string) error {
	if _, err := io.WriteString(c.nc, line+"\n"); err != nil {
		return lineproto.ConnError(err)
	}
	return nil
}

// roundTrip sends one command and reads its answer, handing data lines to
// onLine as they come when it is not nil.
func (c *conn) roundTrip(line string, onLine func(string)) (lineproto.Answer, error) {
	if err := c.send(line); err != nil {
		return lineproto.Answer{}, err
	}
	return c.r.ReadAnswer(onLine)
}

// Close closes the connection.
func (c *conn) Close() error { return c.nc.Close() }
