package bed

import (
	"bufio"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
)

func TestAnswer_statusParts(t *testing.T) {
	cases := []struct {
		status        string
		ok            bool
		summary, code string
	}{
		{".ok 6 disks", true, "6 disks", ""},
		{".ok  two spaces", true, " two spaces", ""},
		{".okay", false, "", ""}, // not ".ok" followed by a summary
		{".err not-found no disk matches x", false, "", "not-found"},
		{".err busy", false, "", "busy"},
		{".err ", false, "", ""},
		{"", false, "", ""},
		{"..ok stuffed data", false, "", ""},
	}
	for _, c := range cases {
		t.Run(c.status, func(t *testing.T) {
			a := &Answer{Status: c.status}
			if got := a.OK(); got != c.ok {
				t.Errorf("OK(): got %v, want %v", got, c.ok)
			}
			if got := a.Summary(); got != c.summary {
				t.Errorf("Summary(): got %q, want %q", got, c.summary)
			}
			if got := a.Code(); got != c.code {
				t.Errorf("Code(): got %q, want %q", got, c.code)
			}
		})
	}
}

// A bare ".ok" has no summary, and ListCount reads it as no disks, as
// both doc comments say. (Summary once returned ".ok" itself: CutPrefix
// leaves the status whole when there is no ".ok " prefix.)
func TestAnswer_bareOK(t *testing.T) {
	a := &Answer{Status: ".ok"}
	if !a.OK() || a.Summary() != "" || a.Code() != "" {
		t.Errorf(".ok: got OK %v, Summary %q, Code %q; want true, \"\", \"\"", a.OK(), a.Summary(), a.Code())
	}
	conn, err := Dial(fakeDaemon(t, greeting, map[string]string{"list": ".ok"}), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if n, err := ListCount(conn); n != 0 || err != nil {
		t.Errorf("ListCount of \".ok\": got %d, %v; want 0, no error", n, err)
	}
}

func TestPeerState(t *testing.T) {
	ps := []messages.Peer{{Node: "a", State: "alive"}, {Node: "b", State: "down"}, {Node: "a", State: "suspect"}}
	cases := []struct{ node, want string }{
		{"a", "alive"}, // the first entry of a node
		{"b", "down"},
		{"c", ""},
		{"", ""},
	}
	for _, c := range cases {
		t.Run(c.node, func(t *testing.T) {
			if got := peerState(ps, c.node); got != c.want {
				t.Errorf("peerState(%q): got %q, want %q", c.node, got, c.want)
			}
		})
	}
}

// fakeDaemon listens on a Unix socket, sends greeting to each session and
// answers each command line with answers[command] (lines joined by "\n"),
// or ".err unknown" for a command it does not know.
func fakeDaemon(t *testing.T, greeting string, answers map[string]string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				if _, err := c.Write([]byte(greeting + "\n")); err != nil {
					return
				}
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					a, ok := answers[strings.TrimSuffix(line, "\n")]
					if !ok {
						a = ".err unknown"
					}
					if _, err := c.Write([]byte(a + "\n")); err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return path
}

const greeting = "diskd-actors 1.0 (line protocol 1) ready"

func TestDial_greeting(t *testing.T) {
	cases := []struct {
		name, greeting string
		wantErr        string
	}{
		{"greeting", greeting, ""},
		{"foreign greeting accepted", "some daemon", ""},
		{"refused", ".err busy too many sessions", "refused: .err busy too many sessions"},
		{"ok instead of a greeting", ".ok", "refused: .ok"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn, err := Dial(fakeDaemon(t, c.greeting, nil), time.Minute)
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("Dial: got %v, want no error", err)
				}
				defer conn.Close()
				if conn.Greeting != c.greeting || conn.Timeout != time.Minute {
					t.Errorf("greeting, timeout: got %q, %v, want %q, %v", conn.Greeting, conn.Timeout, c.greeting, time.Minute)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				if conn != nil {
					conn.Close()
				}
				t.Errorf("Dial: got %v, want an error holding %q", err, c.wantErr)
			}
		})
	}
	if c, err := Dial(filepath.Join(t.TempDir(), "none"), 0); err == nil {
		c.Close()
		t.Errorf("Dial of a missing socket: got no error, want one")
	}
}

// Do unstuffs data lines and keeps the status line whole; DoJSON and
// ListCount read what callers rely on from an answer.
func TestConn_answers(t *testing.T) {
	path := fakeDaemon(t, greeting, map[string]string{
		"list":              "a\n..b\n.ok 2 disks",
		"where x":           ".err not-found no disk matches x",
		"peers --json":      `[{"node":"n1","state":"alive"}]` + "\n.ok",
		"status --json":     `{"node":"n1"}` + "\n.err degraded something",
		"two --json":        "{}\n{}\n.ok",
		"bad --json":        "{nope\n.ok",
		"empty-list --json": ".ok",
	})
	c, err := Dial(path, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	t.Run("Do", func(t *testing.T) {
		a, err := c.Do("list")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Join(a.Lines, "|"), "a|.b"; got != want || a.Status != ".ok 2 disks" {
			t.Errorf("list: got lines %q status %q, want %q and %q", got, a.Status, want, ".ok 2 disks")
		}
		a, err = c.Do("where x")
		if err != nil || a.OK() || a.Code() != "not-found" {
			t.Errorf("where x: got %+v %v, want an .err not-found answer and no error", a, err)
		}
		if _, err := c.Do("list\nquit"); err == nil {
			t.Errorf("a command with a line break: got no error, want one (it would be two commands)")
		}
	})
	t.Run("DoJSON", func(t *testing.T) {
		var ps []messages.Peer
		if err := c.DoJSON("peers", &ps); err != nil || len(ps) != 1 || ps[0].Node != "n1" || ps[0].State != "alive" {
			t.Errorf("peers: got %+v %v, want n1 alive", ps, err)
		}
		var st messages.Status
		err := c.DoJSON("status", &st)
		if err == nil || !strings.Contains(err.Error(), ".err degraded") || st.Node != "n1" {
			t.Errorf("status with .err: got %v, node %q, want the error and the data decoded", err, st.Node)
		}
		var v any
		for cmd, want := range map[string]string{"two": "got 2 data lines, want 1", "bad": "bad --json", "empty-list": "got 0 data lines"} {
			if err := c.DoJSON(cmd, &v); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: got %v, want an error holding %q", cmd, err, want)
			}
		}
	})
	t.Run("ListCount", func(t *testing.T) {
		if n, err := ListCount(c); n != 2 || err != nil {
			t.Errorf("ListCount: got %d %v, want 2", n, err)
		}
	})
}

// ListCount reads the count from the status line: ".ok" alone is no
// disks, an error status or a summary without a number is an error.
func TestListCount_status(t *testing.T) {
	cases := []struct {
		status  string
		want    int
		wantErr bool
	}{
		{".ok 0 disks", 0, false},
		{".ok 1 disk", 1, false},
		{".ok 4096 disks", 4096, false},
		{".ok some disks", 0, true},
		{".err internal boom", 0, true},
	}
	for _, c := range cases {
		t.Run(c.status, func(t *testing.T) {
			conn, err := Dial(fakeDaemon(t, greeting, map[string]string{"list": c.status}), time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			n, err := ListCount(conn)
			if n != c.want || (err != nil) != c.wantErr {
				t.Errorf("ListCount: got %d, %v; want %d, error %v", n, err, c.want, c.wantErr)
			}
		})
	}
}
