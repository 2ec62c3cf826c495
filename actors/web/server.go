// Package web serves the daemon's read-only web page and its Prometheus
// metrics: pure handlers over a Source (Info's answers), with no actor and
// no listener of its own, so that httptest drives all of it.
//
// Routes: / and /static/* (the page, embedded), /api/hosts and
// /api/search (JSON the page reads), /events (server-sent events, the
// daemon's event stream), /metrics (Prometheus text). Every response
// carries a strict Content-Security-Policy; the page builds its DOM with
// textContent only, because labels come from other hosts.
package web

import (
	"context"
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/diskd-actors/diskd-actors/messages"
)

//go:embed static
var static embed.FS

// Source answers what the handlers ask of the daemon.
type Source interface {
	Status(ctx context.Context) (*messages.Status, error)
	Hosts(ctx context.Context, maxDisks int) (*messages.Hosts, error)
	Search(ctx context.Context, q string, limit int) (*messages.SearchResult, error)
}

// Limits bound the listener's work.
type Limits struct {
	MaxAPI      int           // /api requests at once; more get 503
	MaxStreams  int           // /events clients at once; more get 503
	QueueEvents int           // events queued for one stream; a fuller one is dropped
	Timeout     time.Duration // for one answer of the Source
	WriteWait   time.Duration // for one write to an /events client
	KeepAlive   time.Duration // between comment lines on an idle stream
	// Parts names the daemon's actors, for their restart counters.
	Parts []string
}

// DefaultLimits are the daemon's.
var DefaultLimits = Limits{MaxAPI: 8, MaxStreams: 32, QueueEvents: 64,
	Timeout: 5 * time.Second, WriteWait: 5 * time.Second, KeepAlive: 15 * time.Second}

// Counters count what the server did and refused; shown in status.
type Counters struct {
	Requests, APIBusy           atomic.Uint64
	StreamsRefused, SlowStreams atomic.Uint64
	Streams                     atomic.Int64
}

// CSP allows only the page's own scripts, styles and connections.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Server is the web listener's handler.
type Server struct {
	src Source
	lim Limits
	ctr *Counters
	hub *hub
	api chan struct{}
	mux *http.ServeMux
}

// New builds the handler; ctr must outlive it (the daemon's counters).
func New(src Source, lim Limits, ctr *Counters) *Server {
	s := &Server{src: src, lim: lim, ctr: ctr, hub: newHub(lim.MaxStreams, lim.QueueEvents, ctr),
		api: make(chan struct{}, lim.MaxAPI), mux: http.NewServeMux()}
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(src.Status, s.timeout, lim.Parts),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	sub, _ := fs.Sub(static, "static")
	files := http.FileServerFS(sub)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", files))
	s.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, sub, "index.html")
	})
	s.mux.HandleFunc("GET /api/hosts", s.limited(s.hosts))
	s.mux.HandleFunc("GET /api/search", s.limited(s.search))
	s.mux.HandleFunc("GET /events", s.events)
	return s
}

func (s *Server) timeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), s.lim.Timeout)
}

// ServeHTTP sets the security headers, refuses anything but GET and HEAD
// (the page is read-only), and routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.ctr.Requests.Add(1)
	h := w.Header()
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "read-only: GET only", http.StatusMethodNotAllowed)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// Publish hands an event to every /events stream; it never blocks.
func (s *Server) Publish(ev *messages.Event) { s.hub.publish(ev) }

// Close ends every /events stream and refuses new ones (before
// http.Server.Shutdown, which waits for handlers).
func (s *Server) Close() { s.hub.close() }

// limited runs h unless MaxAPI requests are running already.
func (s *Server) limited(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case s.api <- struct{}{}:
			defer func() { <-s.api }()
			h(w, r)
		default:
			s.ctr.APIBusy.Add(1)
			w.Header().Set("Retry-After", "1")
			http.Error(w, "busy: too many requests at once", http.StatusServiceUnavailable)
		}
	}
}

func (s *Server) hosts(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.lim.Timeout)
	defer cancel()
	res, err := s.src.Hosts(ctx, messages.MaxHostsDisks)
	reply(w, res, err)
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	if len(q) > MaxQuery {
		http.Error(w, "query longer than "+strconv.Itoa(MaxQuery)+" bytes", http.StatusBadRequest)
		return
	}
	limit := 50
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			http.Error(w, "limit must be a positive number", http.StatusBadRequest)
			return
		}
		limit = min(n, messages.MaxSearchResults)
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.lim.Timeout)
	defer cancel()
	res, err := s.src.Search(ctx, q, limit)
	reply(w, res, err)
}

// reply writes v as JSON, or the daemon's failure as 503.
func reply(w http.ResponseWriter, v any, err error) {
	if err != nil {
		http.Error(w, "the daemon did not answer: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
