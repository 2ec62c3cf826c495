package render

import (
	"fmt"

	"github.com/diskd-actors/diskd-actors/messages"
)

// httpStatusRow is status's "http:" row: where the web page listens and
// what its bounds refused (only with http.listen).
func httpStatusRow(h *messages.HTTPStatus) []string {
	return []string{"http:", fmt.Sprintf("http://%s/ (http.listen %s): %d requests, %d refused busy (%d at once); %d of %d event streams, %d refused, %d dropped slow (%d events queued each)",
		h.Address, h.Listen, h.Requests, h.APIBusy, h.MaxAPI, h.Streams, h.MaxStreams, h.StreamsRefused, h.SlowStreams, h.QueueEvents)}
}
