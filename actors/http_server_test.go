package actors

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/messages"
)

func withHTTP(o *Options) { o.Config.HTTP.Listen = "127.0.0.1:0" }

func httpAddr(t *testing.T, dm *Daemon) string {
	t.Helper()
	var addr string
	waitFor(t, "http address", func() bool {
		a := dm.deps.stats.http.address.Load()
		if a != nil {
			addr = *a
		}
		return a != nil
	})
	return "http://" + addr
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v\n%s", url, resp.StatusCode, err, b)
	}
	return string(b)
}

// The page's JSON comes from Info: a peer's disk found by part of its
// label, and the hosts with their states.
func TestHTTPServer_AnswersFromInfo(t *testing.T) {
	h := &transport.Hub{}
	a, _ := testDaemon(t, h, "a", diskA, withHTTP)
	b, _ := testDaemon(t, h, "b", diskB)
	waitFor(t, "a knows both disks", func() bool { return len(inventory(t, a)) == 2 })
	base := httpAddr(t, a)
	if got := httpGet(t, base+"/api/search?q=ETA%20D"); !strings.Contains(got, `"node":"b"`) || !strings.Contains(got, `"label":"beta disk"`) {
		t.Errorf("search for part of b's label: %s", got)
	}
	hosts := httpGet(t, base+"/api/hosts")
	if !strings.Contains(hosts, `"node":"a","local":true,"state":"alive"`) || !strings.Contains(hosts, `"node":"b","local":false,"state":"alive"`) {
		t.Errorf("hosts: %s", hosts)
	}
	metrics := httpGet(t, base+"/metrics")
	if !strings.Contains(metrics, `diskd_peers{state="alive"} 1`) || !strings.Contains(metrics, `diskd_status_up 1`) {
		t.Errorf("metrics lack the peer or status_up:\n%.2000s", metrics)
	}
	st := query[*messages.Status](t, a, a.deps.pids.info, &messages.GetStatus{})
	if st.HTTP == nil || st.HTTP.Requests < 3 || st.Sessions.Debug != 0 {
		t.Errorf("status: http %+v, debug streams %d; want 3 requests or more, 0 debug streams", st.HTTP, st.Sessions.Debug)
	}
	_ = b
}

// Info's events reach /events; a panic of the HTTP actor restarts it on
// the same port, and the page's stream reconnects.
func TestHTTPServer_EventsAndRestart(t *testing.T) {
	h := &transport.Hub{}
	a, _ := testDaemon(t, h, "a", diskA, withHTTP)
	waitFor(t, "a knows its disk", func() bool { return len(inventory(t, a)) == 1 })
	base := httpAddr(t, a)
	stream := func() (*http.Response, *bufio.Reader) {
		resp, err := http.Get(base + "/events")
		if err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(resp.Body)
		if l, _ := r.ReadString('\n'); l != "retry: 2000\n" {
			t.Fatalf("stream starts %q", l)
		}
		return resp, r
	}
	resp, r := stream()
	defer resp.Body.Close()
	b, _ := testDaemon(t, h, "b", diskB)
	waitFor(t, "peer_up on /events", func() bool {
		l, err := r.ReadString('\n')
		return err == nil && l == "event: "+messages.EventPeerUp+"\n"
	})
	_ = b

	a.sys.Root.Send(a.sys.NewLocalPID("daemon/http"), &messages.Crash{})
	waitFor(t, "http restart recorded", func() bool { return a.deps.health.snapshot()["http"].Restarts == 1 })
	if _, err := io.ReadAll(r); err != nil {
		t.Logf("old stream ended: %v", err)
	}
	if got := httpAddr(t, a); got != base {
		t.Errorf("after a restart the page moved from %s to %s", base, got)
	}
	waitFor(t, "listening again", func() bool {
		c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	resp2, _ := stream()
	resp2.Body.Close()
	if st := query[*messages.Status](t, a, a.deps.pids.info, &messages.GetStatus{}); st.HTTP.Streams > 1 {
		t.Errorf("streams %d", st.HTTP.Streams)
	}
}
