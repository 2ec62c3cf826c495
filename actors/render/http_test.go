package render

import (
	"testing"

	"github.com/diskd-actors/diskd-actors/messages"
)

func TestStatus_httpRow(t *testing.T) {
	s := messages.Status{HTTP: &messages.HTTPStatus{Listen: "127.0.0.1:0", Address: "127.0.0.1:41234", Requests: 9,
		APIBusy: 1, MaxAPI: 8, Streams: 2, MaxStreams: 32, StreamsRefused: 3, SlowStreams: 4, QueueEvents: 64}}
	want := "http://127.0.0.1:41234/ (http.listen 127.0.0.1:0): 9 requests, 1 refused busy (8 at once); 2 of 32 event streams, 3 refused, 4 dropped slow (64 events queued each)"
	if got := row(t, Status(&s, false, now).Lines, "http:"); got != want {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, l := range Status(&messages.Status{}, false, now).Lines {
		if len(l) >= 5 && l[:5] == "http:" {
			t.Errorf("an http row without http.listen: %q", l)
		}
	}
}
