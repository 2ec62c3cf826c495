package render

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

// Peers answers "peers": state, address and last heard (on now, the
// daemon's clock) of every peer.
func Peers(p *messages.Peers, jsonOut bool, now time.Time) *lineproto.Answer {
	summary := plural(len(p.Peers), "peer")
	if jsonOut {
		return jsonAnswer(nonNil(p.Peers), summary)
	}
	rows := [][]string{{"NODE", "STATE", "ADDRESS", "LAST HEARD", "DISKS", "VERSION", "INSTANCE"}}
	for _, x := range p.Peers {
		state := x.State
		if x.Left {
			state += " (left)"
		}
		if x.Conflict {
			state += " CONFLICT"
		}
		rows = append(rows, []string{x.Node, state, x.Addr, ago(now, x.LastSeen), strconv.Itoa(x.Disks), displayValue(x.Version), x.Instance})
	}
	return &answer{Lines: table(rows), Message: summary}
}

// Localhost answers "localhost".
func Localhost(l *messages.Localhost, jsonOut bool) *lineproto.Answer {
	if jsonOut {
		return jsonAnswer(l, "")
	}
	iface := l.Interface
	if iface == "" {
		iface = "(system default)"
	}
	rows := [][]string{{"node:", l.Node}, {"instance:", l.Instance}, {"version:", l.Version},
		{"protocol:", strconv.Itoa(l.Protocol)}}
	rows = append(rows, listRows("addresses:", l.Addresses, "none")...)
	rows = append(rows, []string{"socket:", l.Socket}, []string{"multicast:", l.Group + " on " + iface})
	return &answer{Lines: table(rows)}
}

// Status answers "status". now decides whether a part's back-off is still
// running. s is not modified (it is a message, shared once sent).
func Status(s *messages.Status, jsonOut bool, now time.Time) *lineproto.Answer {
	if jsonOut {
		if s.Drops == nil {
			cp := *s
			cp.Drops = map[string]uint64{}
			s = &cp
		}
		return jsonAnswer(s, "")
	}
	n := s.Network
	rows := [][]string{
		{"node:", s.Node + " (instance " + s.Instance + ", version " + s.Version + ")"},
		{"uptime:", s.Uptime},
		{"disks:", fmt.Sprintf("%d local; %s: %d alive, %d suspect, %d down", s.Local, plural(s.Peers, "peer"),
			s.States[messages.PeerAlive], s.States[messages.PeerSuspect], s.States[messages.PeerDown])},
		{"datagrams in:", fmt.Sprintf("%d (%s; %d our own)", n.DatagramsIn, Bytes(n.BytesIn), n.OwnIn)},
		{"datagrams out:", fmt.Sprintf("%d (%s; %d send errors)", n.DatagramsOut, Bytes(n.BytesOut), n.SendErrors)},
		{"drops:", formatCounts(s.Drops)},
		{"gossip:", renderGossip(s.Gossip)},
		{"reader:", renderReader(s.Gossip)},
	}
	if r := renderRepair(s.Gossip.Repair); r != "" {
		rows = append(rows, []string{"repair:", r})
	}
	if n.Link != nil {
		rows = append(rows, []string{"link:", oneLine(n.Link.Line())})
	}
	if l := s.Limits; l.MaxDisks > 0 {
		rows = append(rows, []string{"limits:", fmt.Sprintf("%d of %d peer disks, %d of %d peers, %s of %s held; %d of %d last-seen records (%d evicted)",
			l.Disks, l.MaxDisks, l.Peers, l.MaxPeers, Bytes(l.Bytes), Bytes(l.MaxBytes), l.Sightings, l.MaxSightings, l.SightingsEvicted)})
	}
	for _, w := range s.Warnings {
		rows = append(rows, []string{"warning:", oneLine(w)})
	}
	if s.InfoFailed > 0 {
		rows = append(rows, []string{"info:", fmt.Sprintf("%d messages dropped by a failed handler", s.InfoFailed)})
	}
	if len(s.Duplicates) > 0 {
		rows = append(rows, []string{"duplicates:", "UUIDs on more than one node: " + strings.Join(s.Duplicates, " ")})
	}
	if s.Mounts != "" {
		rows = append(rows, []string{"mounts:", "cannot read the mount table: " + oneLine(s.Mounts)})
	}
	if s.Blkid == nil {
		rows = append(rows, []string{"blkid:", "not run yet"})
	} else {
		b := s.Blkid
		line := fmt.Sprintf("run %d at %s took %s: %s", b.RunID, b.Started.Format(time.RFC3339), b.Duration.Round(time.Millisecond), b.Outcome)
		if b.Outcome == "ok" {
			line += ", " + plural(b.Disks, "disk")
		} else {
			line += ": " + oneLine(b.Error)
		}
		rows = append(rows, []string{"blkid:", line})
	}
	if a := s.Announce; a.Error != "" {
		rows = append(rows, []string{"announce:", "REFUSED: " + a.Error})
	} else if !a.Last.IsZero() {
		rows = append(rows, []string{"announce:", fmt.Sprintf("generation %d: %s in %s, last at %s (seq %d)",
			a.Gen, plural(a.Disks, "disk"), plural(a.Chunks, "chunk"), a.Last.Format(time.RFC3339), a.Seq)})
	}
	rows = append(rows, sessionStatusRows(s.Sessions)...)
	if s.HTTP != nil {
		rows = append(rows, httpStatusRow(s.HTTP))
	}
	if s.Cluster != nil {
		rows = append(rows, clusterStatusRow(s.Cluster))
	}
	rows = append(rows, hotplugRows(s.Hotplug)...)
	rows = append(rows, mountStatusRows(s.Mount)...)
	rows = append(rows, partRows(s.Parts, now)...)
	return &answer{Lines: table(rows)}
}

// partRows lists the parts that failed, sorted, under one "parts:" key.
func partRows(ps map[string]messages.PartHealth, now time.Time) [][]string {
	var parts []string
	for name, p := range ps {
		line := fmt.Sprintf("%s restarted %d× (last: %s)", name, p.Restarts, p.LastFailure)
		if !p.BackoffTill.IsZero() && p.BackoffTill.After(now) {
			line += " backing off until " + p.BackoffTill.Format(time.RFC3339)
		}
		parts = append(parts, line)
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		parts = []string{"no failures"}
	}
	return listRows("parts:", parts, "")
}

// listRows puts one value a row under one key (an address a line, say,
// rather than one line that wraps), or none when there are no values.
func listRows(key string, values []string, none string) [][]string {
	if len(values) == 0 {
		values = []string{none}
	}
	rows := make([][]string, len(values))
	for i, v := range values {
		rows[i] = []string{"", v}
	}
	rows[0][0] = key
	return rows
}

// Rescan answers "refresh": the blkid run's outcome; ".err blkid" when it
// failed (after the JSON data, which is still valid).
func Rescan(r *messages.RescanDone, jsonOut bool) *lineproto.Answer {
	if jsonOut {
		ans := jsonAnswer(r, "")
		if r.Report.Outcome != "ok" {
			ans.Code, ans.Message = "blkid", r.Report.Error
		}
		return ans
	}
	if r.Report.Outcome != "ok" {
		kept := "the last good disk list is kept"
		if r.NoListYet {
			kept = "no local disk list yet: no blkid run has succeeded since the daemon started"
		}
		return errAnswer("blkid", fmt.Sprintf("%s: %s (%s)", r.Report.Outcome, r.Report.Error, kept))
	}
	what := "unchanged"
	if r.Changed {
		what = "changed, announced"
	}
	return &answer{Lines: []string{fmt.Sprintf("rescanned: %s, %s", plural(r.Report.Disks, "disk"), what)}}
}
