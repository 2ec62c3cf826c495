package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// FuzzSearchRequest: any query string is a clear 200 or 400, never a panic
// nor another status, and never reaches the daemon over MaxQuery bytes.
func FuzzSearchRequest(f *testing.F) {
	for _, seed := range []string{"q=backup", "q=&limit=1", "q=%00%ff&limit=99999999999999999999", "limit=-5&q=x",
		"q=%3Cscript%3E", "q=a&q=b", "%zz", ""} {
		f.Add(seed)
	}
	src := &fakeSource{}
	s, _ := newTestServer(src, DefaultLimits)
	f.Fuzz(func(t *testing.T, raw string) {
		req := httptest.NewRequest("GET", "/api/search", nil)
		req.URL.RawQuery = raw
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != http.StatusOK && w.Code != http.StatusBadRequest {
			t.Fatalf("query %q: HTTP %d", raw, w.Code)
		}
		if q, _ := url.ParseQuery(raw); w.Code == http.StatusOK && len(q.Get("q")) > MaxQuery {
			t.Fatalf("query %q of %d bytes was accepted", raw, len(q.Get("q")))
		}
	})
}
