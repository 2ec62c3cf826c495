package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// events streams the daemon's events as server-sent events, one
// "event: KIND" with the event's JSON as data. The stream ends when the
// client goes, falls QueueEvents behind, takes longer than WriteWait for a
// write, or the daemon stops; the page then reconnects.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	st := s.hub.join()
	if st == nil {
		w.Header().Set("Retry-After", "5")
		http.Error(w, "busy: too many event streams", http.StatusServiceUnavailable)
		return
	}
	defer s.hub.leave(st)
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	write := func(format string, args ...any) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(s.lim.WriteWait))
		if _, err := fmt.Fprintf(w, format, args...); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	// The first line tells the page the stream is live (and when it
	// reconnected, that it must reload what it shows).
	if !write("retry: 2000\nevent: hello\ndata: {}\n\n") {
		return
	}
	keep := time.NewTicker(s.lim.KeepAlive)
	defer keep.Stop()
	for {
		select {
		case ev, ok := <-st.ch:
			if !ok {
				return
			}
			b, err := json.Marshal(ev)
			if err != nil {
				continue
			}
			// Kinds are the daemon's constants, never outside input; the
			// data is JSON on one line.
			if !write("event: %s\ndata: %s\n\n", ev.Kind, b) {
				return
			}
		case <-keep.C:
			if !write(": keep-alive\n\n") {
				return
			}
		case <-r.Context().Done():
			return
		}
	}
}
