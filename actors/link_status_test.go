package actors

import (
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/actors/render"
	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/messages"
)

type fixedReport transport.Report

func (f fixedReport) Report() transport.Report { return transport.Report(f) }

func TestLinkStatus_InStatus(t *testing.T) {
	if linkStatus(nil) != nil {
		t.Fatal("a transport without a report gave a link status")
	}
	s := newStats()
	s.link = fixedReport{Interface: "veth0", Address: "198.18.0.7", LinkUp: true, Watch: "poll",
		Rejoins: 3, Rebinds: 1, ConsecutiveSendErrors: 2, LastSendError: "boom"}
	n := s.net()
	if n.Link == nil || n.Link.Rejoins != 3 || n.Link.Rebinds != 1 || n.Link.ConsecutiveSendErrors != 2 || n.Link.Address != "198.18.0.7" {
		t.Fatalf("net().Link = %+v", n.Link)
	}
	a := render.Status(&messages.Status{Network: n}, false, time.Now())
	text := strings.Join(a.Lines, "\n")
	if !strings.Contains(text, "link:") || !strings.Contains(text, "3 rejoins, 1 rebinds") || !strings.Contains(text, "2 in a row") {
		t.Fatalf("text status lacks the link line:\n%s", text)
	}
}
