package actors

import (
	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/messages"
)

// linkStatus turns the transport's health report into its status form;
// nil when the transport does not report (the in-memory fake).
func linkStatus(r transport.Reporter) *messages.LinkStatus {
	if r == nil {
		return nil
	}
	h := r.Report()
	return &messages.LinkStatus{
		Interface: h.Interface, Address: h.Address, Up: h.LinkUp, Watch: h.Watch,
		Rejoins: h.Rejoins, Rebinds: h.Rebinds, LastFix: h.LastFix, LastFixAt: h.LastFixAt,
		FixErrors: h.FixErrors, FixError: h.FixError,
		SendErrors: h.SendErrors, ConsecutiveSendErrors: h.ConsecutiveSendErrors,
		LastSendError: h.LastSendError, LastSendErrorAt: h.LastSendErrorAt,
	}
}
