package render

import (
	"fmt"

	"github.com/diskd-actors/diskd-actors/messages"
)

// renderGossip is the status line of the protocol engine.
func renderGossip(g messages.GossipStatus) string {
	return fmt.Sprintf("%d queued, %d assembling (%d of %d disks, %s of %s), %d generations known, "+
		"%d replay windows, %d rate buckets; %d evicted, %d assemblies expired",
		g.Queued, g.Assemblies, g.InFlightDisks, g.MaxInFlightDisks, Bytes(g.InFlightBytes), Bytes(g.MaxInFlightBytes),
		g.KnownGenerations, g.ReplayWindows, g.Sources, g.Evicted, g.AssembliesExpired)
}

// renderReader is the status line of the multicast reader: its batches,
// the times it stopped reading for want of room (backpressure), the
// socket's buffer and what the kernel dropped there, and what the
// per-source filter refused before decoding.
func renderReader(g messages.GossipStatus) string {
	buf := "socket buffer unknown"
	if g.ReceiveBuffer > 0 {
		buf = "socket buffer " + Bytes(g.ReceiveBuffer)
	}
	return fmt.Sprintf("%d batches read, %d pauses (queues full); %s, %d dropped by the kernel; %d refused before decoding (%d sources tracked)",
		g.ReaderBatches, g.ReaderPauses, buf, g.SocketDrops, g.FilterRefused, g.FilterSources)
}

// renderRepair is the status line of the repair exchange; "" until this
// daemon sent or was asked for anything.
func renderRepair(r messages.RepairStatus) string {
	if r.SentByKind == nil && r.Scheduled+r.Answered+r.Duplicate+r.Stale+r.DiscoverySkipped == 0 {
		return ""
	}
	return fmt.Sprintf("requests: %d scheduled, %d sent, %d suppressed, %d postponed; "+
		"answered %d (%d chunks resent), %d duplicate, %d stale ignored; %d newcomers not answered (already listening); sent %s",
		r.Scheduled, r.Sent, r.Suppressed, r.Postponed, r.Answered, r.Resent, r.Duplicate, r.Stale, r.DiscoverySkipped,
		formatCounts(r.SentByKind))
}

// sessionStatusRows are the status lines of the sessions' bounds and
// counters, for renderStatus.
func sessionStatusRows(s messages.SessionStats) [][]string {
	return [][]string{
		{"sessions:", fmt.Sprintf("%d open, %d streaming debug (limit %d, %d refused busy); %d answers being written; %d lines too long",
			s.Open, s.Debug, s.MaxOpen, s.Busy, s.Writing, s.TooLong)},
		{"", fmt.Sprintf("slow clients: %d disconnected (an answer untaken for %v), %d cut short when their session stopped (after %v); debug queue %d events / %s a session, %d events dropped; answers streamed in pieces of %s",
			s.SlowClients, s.AnswerWait, s.CutAtStop, s.DrainWait, s.QueueEvents, Bytes(s.QueueBytes), s.EventsDropped, Bytes(PieceSize))},
	}
}
