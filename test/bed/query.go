package bed

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

// DefaultQueryTimeout bounds one dial or one answer.
const DefaultQueryTimeout = 10 * time.Second

// Answer is a daemon's answer to one command: data lines (dot-stuffing
// removed), then the status line.
type Answer struct {
	Lines  []string
	Status string // the whole status line, e.g. ".ok 6 disks" or ".err not-found no disk matches x"
}

// OK reports whether the status line is ".ok" (with or without a summary).
func (a *Answer) OK() bool { return a.Status == ".ok" || strings.HasPrefix(a.Status, ".ok ") }

// Summary is the text after ".ok ", or "" for an error.
func (a *Answer) Summary() string {
	if !a.OK() || a.Status == ".ok" {
		return ""
	}
	return strings.TrimPrefix(a.Status, ".ok ")
}

// Code is the error code of an ".err CODE MESSAGE" status, or "".
func (a *Answer) Code() string {
	rest, ok := strings.CutPrefix(a.Status, ".err ")
	if !ok {
		return ""
	}
	code, _, _ := strings.Cut(rest, " ")
	return code
}

// Conn is one client session on a daemon's socket, spoken to with the line
// protocol (messages/lineproto, docs/protocol.md): it is much cheaper than running the
// client binary, and a session can be reused for many commands. A Conn is
// not safe for concurrent use.
type Conn struct {
	// Greeting is the first line the daemon sent.
	Greeting string
	// Timeout bounds each command's answer; DefaultQueryTimeout by default.
	Timeout time.Duration
	c       net.Conn
	r       *bufio.Reader // also read directly, for streams (bed.go)
	lp      *lineproto.Reader
}

// Dial opens a session on the Unix socket at path and reads the greeting.
// A daemon at its session limit answers ".err busy …" instead of a
// greeting: that is returned as an error.
func Dial(path string, timeout time.Duration) (*Conn, error) {
	if timeout <= 0 {
		timeout = DefaultQueryTimeout
	}
	c, err := net.DialTimeout("unix", path, timeout)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(c, 64<<10)
	conn := &Conn{Timeout: timeout, c: c, r: br, lp: lineproto.NewBufReader(br)}
	c.SetReadDeadline(time.Now().Add(timeout))
	g, err := conn.lp.ReadLine()
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("reading the greeting: %w", err)
	}
	conn.Greeting = g
	if _, err := lineproto.ParseGreeting(g); err != nil {
		c.Close()
		return nil, fmt.Errorf("refused: %s (%w)", g, err)
	}
	return conn, nil
}

// Do sends one command line and reads its answer. An error means the
// session is unusable (closed, timed out); an ".err" status is not an
// error.
func (c *Conn) Do(command string) (*Answer, error) {
	if err := lineproto.CheckCommand(command); err != nil {
		return nil, fmt.Errorf("command %.80q: %w", command, err)
	}
	deadline := time.Now().Add(c.Timeout)
	c.c.SetDeadline(deadline)
	if _, err := c.c.Write([]byte(command + "\n")); err != nil {
		return nil, err
	}
	la, err := c.lp.ReadAnswer(nil)
	if err != nil {
		return nil, fmt.Errorf("%q: reading the answer: %w (after %d lines)", command, err, len(la.Lines))
	}
	return &Answer{Lines: la.Lines, Status: la.Status()}, nil
}

// DoJSON sends command with --json and decodes its one data line into v.
// An ".err" status is an error (with the data decoded if there was some).
func (c *Conn) DoJSON(command string, v any) error {
	a, err := c.Do(command + " --json")
	if err != nil {
		return err
	}
	if len(a.Lines) == 1 {
		if err := json.Unmarshal([]byte(a.Lines[0]), v); err != nil {
			return fmt.Errorf("%s --json: %v in %.200q", command, err, a.Lines[0])
		}
	}
	if !a.OK() {
		return fmt.Errorf("%s --json: %s", command, a.Status)
	}
	if len(a.Lines) != 1 {
		return fmt.Errorf("%s --json: got %d data lines, want 1", command, len(a.Lines))
	}
	return nil
}

// Close ends the session.
func (c *Conn) Close() error { return c.c.Close() }

// Dial opens a session on the host's daemon.
func (h *Host) Dial() (*Conn, error) { return Dial(h.Socket, DefaultQueryTimeout) }

// Query runs one command on a fresh session of the host's daemon.
func (h *Host) Query(command string) (*Answer, error) {
	c, err := h.Dial()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", h.Name, err)
	}
	defer c.Close()
	a, err := c.Do(command)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", h.Name, err)
	}
	return a, nil
}

// QueryJSON runs command --json on a fresh session and decodes the answer
// into v.
func (h *Host) QueryJSON(command string, v any) error {
	c, err := h.Dial()
	if err != nil {
		return fmt.Errorf("%s: %w", h.Name, err)
	}
	defer c.Close()
	if err := c.DoJSON(command, v); err != nil {
		return fmt.Errorf("%s: %w", h.Name, err)
	}
	return nil
}

// List returns every disk the host's daemon lists (`list --json`).
func (h *Host) List() ([]messages.NodeDisk, error) {
	var ds []messages.NodeDisk
	err := h.QueryJSON("list", &ds)
	return ds, err
}

// Status returns the host's `status --json`.
func (h *Host) Status() (*messages.Status, error) {
	var st messages.Status
	if err := h.QueryJSON("status", &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// Peers returns the host's `peers --json`.
func (h *Host) Peers() ([]messages.Peer, error) {
	var ps []messages.Peer
	err := h.QueryJSON("peers", &ps)
	return ps, err
}

// PeerState returns node's state ("alive", "suspect", "down") as the host
// sees it, or "" when the host does not know node.
func (h *Host) PeerState(node string) (string, error) {
	ps, err := h.Peers()
	if err != nil {
		return "", err
	}
	return peerState(ps, node), nil
}

func peerState(ps []messages.Peer, node string) string {
	for _, p := range ps {
		if p.Node == node {
			return p.State
		}
	}
	return ""
}

// ListCount returns the number of disks `list` reports on c, read from
// the status line (".ok N disks"): cheaper than decoding the JSON.
func ListCount(c *Conn) (int, error) {
	a, err := c.Do("list")
	if err != nil {
		return 0, err
	}
	if !a.OK() {
		return 0, fmt.Errorf("list: %s", a.Status)
	}
	f := strings.Fields(a.Summary())
	if len(f) == 0 { // no disks: ".ok" alone, or a summary without a count
		return 0, nil
	}
	n, err := strconv.Atoi(f[0])
	if err != nil {
		return 0, fmt.Errorf("list: status %q: %w", a.Status, err)
	}
	return n, nil
}

// errStopped is returned by operations on a host whose daemon is not
// running.
var errStopped = errors.New("the daemon is not running")
