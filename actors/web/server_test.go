package web

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/diskd-actors/diskd-actors/messages"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeSource answers with canned values; block, when set, holds Search
// until it is closed (entered is signalled first).
type fakeSource struct {
	mu       sync.Mutex
	status   *messages.Status
	err      error
	queries  []string
	limits   []int
	block    chan struct{}
	entered  chan struct{}
	maxDisks int
}

func (f *fakeSource) Status(context.Context) (*messages.Status, error) { return f.status, f.err }

func (f *fakeSource) Hosts(_ context.Context, maxDisks int) (*messages.Hosts, error) {
	f.mu.Lock()
	f.maxDisks = maxDisks
	f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	return &messages.Hosts{Node: "a", Hosts: []messages.Host{{Node: "a", Local: true, State: messages.PeerAlive,
		Disks: []messages.Disk{{UUID: "u1", Label: "<b>x</b>"}}}}, Gone: []messages.Seen{}}, nil
}

func (f *fakeSource) Search(_ context.Context, q string, limit int) (*messages.SearchResult, error) {
	f.mu.Lock()
	f.queries, f.limits = append(f.queries, q), append(f.limits, limit)
	f.mu.Unlock()
	if f.block != nil {
		f.entered <- struct{}{}
		<-f.block
	}
	return &messages.SearchResult{Query: q, Matches: []messages.NodeDisk{}, LastSeen: []messages.Seen{}}, f.err
}

func newTestServer(src Source, lim Limits) (*Server, *Counters) {
	ctr := &Counters{}
	return New(src, lim, ctr), ctr
}

func do(t *testing.T, h http.Handler, method, url string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, url, nil))
	return w
}

func TestServer_PageAndHeaders(t *testing.T) {
	s, ctr := newTestServer(&fakeSource{}, DefaultLimits)
	for _, tc := range []struct {
		url, ctype, contains string
	}{
		{"/", "text/html; charset=utf-8", `<input id="q"`},
		{"/static/app.js", "text/javascript; charset=utf-8", "textContent"},
		{"/static/style.css", "text/css; charset=utf-8", "body"},
	} {
		w := do(t, s, "GET", tc.url)
		if w.Code != 200 || w.Header().Get("Content-Type") != tc.ctype || !strings.Contains(w.Body.String(), tc.contains) {
			t.Errorf("GET %s: %d %q, want 200 %q containing %q", tc.url, w.Code, w.Header().Get("Content-Type"), tc.ctype, tc.contains)
		}
		if got := w.Header().Get("Content-Security-Policy"); got != CSP {
			t.Errorf("GET %s: CSP %q, want %q", tc.url, got, CSP)
		}
		if got := w.Header().Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options %q", tc.url, got)
		}
	}
	if w := do(t, s, "GET", "/nothing"); w.Code != 404 {
		t.Errorf("GET /nothing: %d, want 404", w.Code)
	}
	for _, m := range []string{"POST", "PUT", "DELETE"} {
		if w := do(t, s, m, "/api/hosts"); w.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s /api/hosts: %d, want 405 (read-only)", m, w.Code)
		}
	}
	if got := ctr.Requests.Load(); got != 7 {
		t.Errorf("requests counted %d, want 7", got)
	}
}

// The page must never hand data to the HTML parser.
func TestServer_ScriptBuildsNoHTMLFromData(t *testing.T) {
	b, err := static.ReadFile("static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("} {
		if strings.Contains(string(b), bad) {
			t.Errorf("app.js uses %s", bad)
		}
	}
}

func TestServer_Search(t *testing.T) {
	src := &fakeSource{}
	s, _ := newTestServer(src, DefaultLimits)
	for _, tc := range []struct {
		url       string
		code      int
		q         string
		wantLimit int
	}{
		{"/api/search?q=back", 200, "back", 50},
		{"/api/search?q=%3Cb%3E&limit=3", 200, "<b>", 3},
		{"/api/search?q=x&limit=100000", 200, "x", messages.MaxSearchResults},
		{"/api/search?q=x&limit=-1", 400, "", 0},
		{"/api/search?q=x&limit=abc", 400, "", 0},
		{"/api/search?q=" + strings.Repeat("a", MaxQuery+1), 400, "", 0},
	} {
		before := len(src.queries)
		w := do(t, s, "GET", tc.url)
		if w.Code != tc.code {
			t.Errorf("GET %.60s: %d, want %d", tc.url, w.Code, tc.code)
			continue
		}
		if tc.code != 200 {
			if len(src.queries) != before {
				t.Errorf("GET %.60s: refused, but asked the daemon", tc.url)
			}
			continue
		}
		if got := src.queries[len(src.queries)-1]; got != tc.q {
			t.Errorf("GET %s: query %q, want %q", tc.url, got, tc.q)
		}
		if got := src.limits[len(src.limits)-1]; got != tc.wantLimit {
			t.Errorf("GET %s: limit %d, want %d", tc.url, got, tc.wantLimit)
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("GET %s: Content-Type %q", tc.url, ct)
		}
	}
}

func TestServer_HostsAndDaemonFailure(t *testing.T) {
	src := &fakeSource{}
	s, _ := newTestServer(src, DefaultLimits)
	w := do(t, s, "GET", "/api/hosts")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"label":"\u003cb\u003ex\u003c/b\u003e"`) {
		t.Errorf("GET /api/hosts: %d %s", w.Code, w.Body)
	}
	if src.maxDisks != messages.MaxHostsDisks {
		t.Errorf("asked for %d disks, want the cap %d", src.maxDisks, messages.MaxHostsDisks)
	}
	src.err = errors.New("timeout")
	if w := do(t, s, "GET", "/api/hosts"); w.Code != http.StatusServiceUnavailable {
		t.Errorf("GET /api/hosts with the daemon failing: %d, want 503", w.Code)
	}
}

func TestServer_APIBoundedAndCounted(t *testing.T) {
	src := &fakeSource{block: make(chan struct{}), entered: make(chan struct{}, 1)}
	lim := DefaultLimits
	lim.MaxAPI = 1
	s, ctr := newTestServer(src, lim)
	done := make(chan int)
	go func() { done <- do(t, s, "GET", "/api/search?q=a").Code }()
	<-src.entered
	if w := do(t, s, "GET", "/api/search?q=b"); w.Code != http.StatusServiceUnavailable {
		t.Errorf("a second request while one runs: %d, want 503", w.Code)
	}
	if got := ctr.APIBusy.Load(); got != 1 {
		t.Errorf("APIBusy %d, want 1", got)
	}
	close(src.block)
	if code := <-done; code != 200 {
		t.Errorf("the first request: %d, want 200", code)
	}
	src.block = nil
	if w := do(t, s, "GET", "/api/search?q=c"); w.Code != 200 {
		t.Errorf("after the first ended: %d, want 200", w.Code)
	}
}

// readEvent reads lines up to a blank one and returns the event's kind and
// data.
func readEvent(t *testing.T, r *bufio.Reader) (kind, data string) {
	t.Helper()
	for {
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the stream: %v", err)
		}
		l = strings.TrimSuffix(l, "\n")
		switch {
		case l == "" && kind != "":
			return kind, data
		case strings.HasPrefix(l, "event: "):
			kind = strings.TrimPrefix(l, "event: ")
		case strings.HasPrefix(l, "data: "):
			data = strings.TrimPrefix(l, "data: ")
		}
	}
}

func TestServer_EventsStreamAndBounds(t *testing.T) {
	lim := DefaultLimits
	lim.MaxStreams = 1
	s, ctr := newTestServer(&fakeSource{}, lim)
	ts := httptest.NewServer(s)
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	r := bufio.NewReader(resp.Body)
	if kind, _ := readEvent(t, r); kind != "hello" {
		t.Fatalf("first event %q, want hello", kind)
	}
	second, err := http.Get(ts.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	second.Body.Close()
	if second.StatusCode != http.StatusServiceUnavailable || ctr.StreamsRefused.Load() != 1 {
		t.Errorf("a stream over the limit: %d, refused %d; want 503, 1", second.StatusCode, ctr.StreamsRefused.Load())
	}
	s.Publish(&messages.Event{Kind: messages.EventDiskAdded, Node: "b", Detail: "line\nbreak",
		Disk: &messages.Disk{Label: "</script>\n"}})
	kind, data := readEvent(t, r)
	if kind != messages.EventDiskAdded || !strings.Contains(data, `"detail":"line\nbreak"`) || strings.Contains(data, "</script>") {
		t.Errorf("event %q %s: want disk_added, its JSON on one line with HTML escaped", kind, data)
	}
	s.Close() // the daemon stops: the stream ends
	if _, err := io.ReadAll(r); err != nil {
		t.Errorf("after Close: %v, want the stream's end", err)
	}
	if n := ctr.Streams.Load(); n != 0 {
		t.Errorf("streams %d after Close, want 0", n)
	}
}

func TestHub_SlowStreamDroppedNotWaitedFor(t *testing.T) {
	ctr := &Counters{}
	h := newHub(4, 2, ctr)
	slow, quick := h.join(), h.join()
	ev := &messages.Event{Kind: messages.EventPeerUp}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 3 { // one more than slow's queue
			h.publish(ev)
			<-quick.ch
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("publish waited for a full stream")
	}
	n := 0
	for range slow.ch { // closed once dropped
		n++
	}
	if n != 2 || ctr.SlowStreams.Load() != 1 || ctr.Streams.Load() != 1 {
		t.Errorf("slow stream kept %d events, dropped %d, streams %d; want 2, 1, 1", n, ctr.SlowStreams.Load(), ctr.Streams.Load())
	}
	h.leave(slow) // after a drop: nothing to do, no double close
	h.close()
	if h.join() != nil || ctr.StreamsRefused.Load() != 1 {
		t.Errorf("join after close was not refused")
	}
}

func TestMatches(t *testing.T) {
	d := messages.Disk{UUID: "ABCD-1234", Label: "Backup 2026", Device: "/dev/sdb1",
		Identity: messages.Identity{Serial: "WD-WCC4N1234", WWN: "0x50014ee2b5d6e7f8", Model: "WDC WD20EFRX"}}
	for q, want := range map[string]bool{"backup": true, "  BACK ": true, "abcd-12": true, "sdb": true, "": false, "photos": false,
		"wd-wcc4n": true, "50014ee2": true, "wd20efrx": true, "seagate": false} {
		if got := Matches(d, Fold(q)); got != want {
			t.Errorf("Matches(%q) = %v, want %v", q, got, want)
		}
	}
}

func TestContainsFold(t *testing.T) {
	for _, tc := range []struct {
		s, sub string
		want   bool
	}{
		{"Backup 2026", "backup", true}, {"Backup 2026", "p 20", true}, {"Backup 2026", "2026", true},
		{"Backup 2026", "2027", false}, {"ab", "abc", false}, {"", "a", false}, {"aaab", "aab", true},
		{"xAxB", "ab", false}, {"ÉTÉ photos", "été", true}, {"ÉTÉ photos", "photos", true}, {"ÉTÉ PHOTOS", "photos", true}, {"été", "ÉTÉ", false},
		{"UUID-ABCD", "-abcd", true}, {"a-b", "-", true},
	} {
		if got := containsFold(tc.s, tc.sub); got != tc.want {
			t.Errorf("containsFold(%q, %q) = %v, want %v", tc.s, tc.sub, got, tc.want)
		}
	}
}
