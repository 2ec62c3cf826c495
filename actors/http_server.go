package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/actors/web"
	"github.com/diskd-actors/diskd-actors/messages"
)

// HTTPServer serves the read-only web page and /metrics on http.listen;
// the handlers are actors/web's. It owns the listener and the http.Server:
// a goroutine serves, and a failure of Serve comes back as httpFailed,
// which panics into supervision (the next instance listens again). It
// subscribes to Info's events and hands each to the page's /events
// streams, which never wait on a browser, so Info never waits on one
// either.
//
// In: Subscribed, Event (Info), httpFailed (its goroutine). Out:
// Subscribe to Info; the handlers ask Info with RequestFuture from their
// own goroutines (Search, GetHosts, GetStatus), never from Receive.
// Spawned only when http.listen is set. Its counters live in deps, so a
// restart keeps them.
type HTTPServer struct {
	d   *deps
	log *slog.Logger
	srv *http.Server
	web *web.Server
	wg  sync.WaitGroup
}

// httpFailed is Serve's error: the listener broke.
type httpFailed struct{ err error }

func newHTTPProps(d *deps) *actor.Props {
	if d.stats.http == nil {
		return nil
	}
	return actor.PropsFromProducer(func() actor.Actor {
		return &HTTPServer{d: d, log: d.log.With("actor", "http")}
	}, actor.WithReceiverMiddleware(logPanics(d.log)))
}

// Receive handles one message.
func (a *HTTPServer) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		a.start(c)
	case *actor.Restarting:
		a.stop()
	case *actor.Stopping:
		a.stop()
		a.d.stats.http.subscribed.Store(0) // Info drops it on Terminated
	case *messages.Subscribed:
		a.d.stats.http.subscribed.Store(1)
	case *messages.Event:
		a.web.Publish(m)
	case *httpFailed:
		panic(fmt.Sprintf("http: %v", m.err))
	case *messages.CheckHealth:
		c.Respond(&messages.Healthy{Part: "http"})
	}
}

func (a *HTTPServer) start(c actor.Context) {
	hs := a.d.stats.http
	ln, ok := a.d.httpListener.take()
	if !ok {
		// After a restart: the address first bound, so that a port
		// chosen for ":0" stays the same.
		addr := hs.listen
		if a := hs.address.Load(); a != nil {
			addr = *a
		}
		var err error
		if ln, err = net.Listen("tcp", addr); err != nil {
			panic(fmt.Sprintf("http.listen %q: %v", addr, err))
		}
	}
	addr := ln.Addr().String()
	hs.address.Store(&addr)
	a.web = web.New(infoSource{a.d}, hs.lim, &hs.ctr)
	a.srv = &http.Server{Handler: a.web, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: time.Minute,
		MaxHeaderBytes: 16 << 10, ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelDebug)}
	self, root, srv := c.Self(), a.d.root, a.srv
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			root.Send(self, &httpFailed{err: err})
		}
	}()
	c.Request(a.d.pids.info, &messages.Subscribe{})
	a.log.Info("http listening", "address", addr)
}

// stop ends the event streams, then the server, waiting at most a second
// for requests in flight before closing their connections.
func (a *HTTPServer) stop() {
	if a.srv == nil {
		return
	}
	a.web.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := a.srv.Shutdown(ctx); err != nil {
		_ = a.srv.Close()
	}
	a.wg.Wait()
	a.srv = nil
}

// listenHTTP takes http.listen at Start, so that a taken port is a clear
// error of Start rather than a restarting actor; the first HTTPServer
// takes the listener over. It returns a func that closes it if the daemon
// does not start.
func listenHTTP(d *deps) (undo func(), err error) {
	if d.stats.http == nil {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", d.stats.http.listen)
	if err != nil {
		return nil, fmt.Errorf("http.listen %q: cannot listen: %w", d.stats.http.listen, err)
	}
	d.httpListener.put(ln)
	return func() {
		if ln, ok := d.httpListener.take(); ok {
			ln.Close()
		}
	}, nil
}

// infoSource answers the web handlers by asking Info.
type infoSource struct{ d *deps }

func (s infoSource) ask(ctx context.Context, m any) (any, error) {
	wait := web.DefaultLimits.Timeout
	if dl, ok := ctx.Deadline(); ok {
		wait = time.Until(dl)
	}
	if wait <= 0 {
		return nil, context.DeadlineExceeded
	}
	return s.d.root.RequestFuture(s.d.pids.info, m, wait).Result()
}

func infoAnswer[T any](res any, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	v, ok := res.(*T)
	if !ok {
		return nil, fmt.Errorf("info answered %T", res)
	}
	return v, nil
}

func (s infoSource) Status(ctx context.Context) (*messages.Status, error) {
	return infoAnswer[messages.Status](s.ask(ctx, &messages.GetStatus{}))
}

func (s infoSource) Hosts(ctx context.Context, maxDisks int) (*messages.Hosts, error) {
	return infoAnswer[messages.Hosts](s.ask(ctx, &messages.GetHosts{MaxDisks: maxDisks}))
}

func (s infoSource) Search(ctx context.Context, q string, limit int) (*messages.SearchResult, error) {
	return infoAnswer[messages.SearchResult](s.ask(ctx, &messages.Search{Query: q, Limit: limit}))
}
