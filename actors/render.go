package actors

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
)

// Renderers turn Info's replies into answers, as text for people or as one
// JSON value for programs.

func renderList(inv *messages.Inventory, jsonOut bool) *answer {
	summary := plural(len(inv.Disks), "disk")
	if jsonOut {
		return jsonAnswer(nonNil(inv.Disks), summary)
	}
	return &answer{lines: diskTable(inv.Disks), summary: summary}
}

func renderWhere(r *messages.WhereResult, jsonOut bool, now time.Time) *answer {
	var ans *answer
	if jsonOut {
		ans = jsonAnswer(r, "")
	} else {
		ans = &answer{}
		if len(r.Matches) > 0 {
			ans.lines = diskTable(r.Matches)
		}
		for _, s := range r.LastSeen {
			ans.lines = append(ans.lines, fmt.Sprintf("%s (uuid %s, device %s): last seen on %s, %s ago (%s)",
				displayValue(s.Label), displayValue(s.UUID), displayValue(s.Device), s.Node,
				now.Sub(s.At).Round(time.Second), s.At.Format(time.RFC3339)))
		}
		for _, u := range r.Duplicates {
			ans.lines = append(ans.lines, "warning: UUID "+u+" is present on more than one node")
		}
	}
	if len(r.Matches) == 0 && len(r.LastSeen) == 0 {
		ans.code, ans.msg = "not-found", fmt.Sprintf("no disk matches %s", displayValue(r.Query))
		return ans
	}
	var names []string
	seen := map[string]bool{}
	for _, m := range r.Matches {
		if !seen[m.Node] {
			seen[m.Node] = true
			names = append(names, m.Node)
		}
	}
	switch {
	case len(names) > 0:
		ans.summary = "on " + strings.Join(names, ", ")
	default:
		ans.summary = "last seen on " + r.LastSeen[0].Node
	}
	if len(r.Duplicates) > 0 {
		ans.summary += " (duplicate UUID)"
	}
	return ans
}

func renderMounts(inv *messages.Inventory, jsonOut bool) *answer {
	var mounted []messages.NodeDisk
	for _, d := range inv.Disks {
		if len(d.Mounts) > 0 {
			mounted = append(mounted, d)
		}
	}
	summary := plural(len(mounted), "mounted disk")
	if jsonOut {
		return jsonAnswer(nonNil(mounted), summary)
	}
	rows := [][]string{{"NODE", "LABEL", "DEVICE", "MOUNTED ON", "TYPE", "MODE"}}
	for _, d := range mounted {
		for _, m := range d.Mounts {
			mode := "rw"
			if m.ReadOnly {
				mode = "ro"
			}
			rows = append(rows, []string{d.Node, displayValue(d.Label), displayValue(d.Device), displayValue(m.Path), displayValue(m.FSType), mode})
		}
	}
	return &answer{lines: table(rows), summary: summary}
}

func renderPeers(p *messages.Peers, jsonOut bool, now time.Time) *answer {
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
	return &answer{lines: table(rows), summary: summary}
}

func renderLocalhost(l *messages.Localhost, jsonOut bool) *answer {
	if jsonOut {
		return jsonAnswer(l, "")
	}
	iface := l.Interface
	if iface == "" {
		iface = "(system default)"
	}
	return &answer{lines: table([][]string{
		{"node:", l.Node}, {"instance:", l.Instance}, {"version:", l.Version},
		{"protocol:", strconv.Itoa(l.Protocol)}, {"addresses:", strings.Join(l.Addresses, " ")},
		{"socket:", l.Socket}, {"multicast:", l.Group + " on " + iface},
	})}
}

func renderStatus(s *messages.Status, jsonOut bool) *answer {
	if jsonOut {
		if s.Drops == nil {
			s.Drops = map[string]uint64{}
		}
		return jsonAnswer(s, "")
	}
	n := s.Network
	rows := [][]string{
		{"node:", s.Node + " (instance " + s.Instance + ", version " + s.Version + ")"},
		{"uptime:", s.Uptime},
		{"disks:", fmt.Sprintf("%d local; %s: %d alive, %d suspect, %d down", s.Local, plural(s.Peers, "peer"),
			s.States[messages.PeerAlive], s.States[messages.PeerSuspect], s.States[messages.PeerDown])},
		{"datagrams in:", fmt.Sprintf("%d (%d bytes; %d our own)", n.DatagramsIn, n.BytesIn, n.OwnIn)},
		{"datagrams out:", fmt.Sprintf("%d (%d bytes; %d send errors)", n.DatagramsOut, n.BytesOut, n.SendErrors)},
		{"drops:", formatCounts(s.Drops)},
	}
	if l := s.Limits; l.MaxDisks > 0 {
		rows = append(rows, []string{"limits:", fmt.Sprintf("%d of %d peer disks, %d of %d peers, %s of %s held; %d of %d last-seen records (%d evicted)",
			l.Disks, l.MaxDisks, l.Peers, l.MaxPeers, mib(l.Bytes), mib(l.MaxBytes), l.Sightings, l.MaxSightings, l.SightingsEvicted)})
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
	var parts []string
	for name, p := range s.Parts {
		line := fmt.Sprintf("%s restarted %d× (last: %s)", name, p.Restarts, p.LastFailure)
		if !p.BackoffTill.IsZero() && p.BackoffTill.After(time.Now()) {
			line += " backing off until " + p.BackoffTill.Format(time.RFC3339)
		}
		parts = append(parts, line)
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		parts = []string{"no failures"}
	}
	for i, p := range parts {
		key := ""
		if i == 0 {
			key = "parts:"
		}
		rows = append(rows, []string{key, p})
	}
	return &answer{lines: table(rows)}
}

func renderRescan(r *messages.RescanDone, jsonOut bool) *answer {
	if jsonOut {
		ans := jsonAnswer(r, "")
		if r.Report.Outcome != "ok" {
			ans.code, ans.msg = "blkid", r.Report.Error
		}
		return ans
	}
	if r.Report.Outcome != "ok" {
		return errAnswer("blkid", fmt.Sprintf("%s: %s (the last good disk list is kept)", r.Report.Outcome, r.Report.Error))
	}
	what := "unchanged"
	if r.Changed {
		what = "changed, announced"
	}
	return &answer{lines: []string{fmt.Sprintf("rescanned: %s, %s", plural(r.Report.Disks, "disk"), what)}}
}

// diskTable renders disks in columns; labels that need it are quoted.
func diskTable(disks []messages.NodeDisk) []string {
	rows := [][]string{{"NODE", "UUID", "LABEL", "DEVICE", "TYPE", "MOUNTED"}}
	for _, d := range disks {
		mounted := "-"
		if len(d.Mounts) > 0 {
			paths := make([]string, len(d.Mounts))
			for i, m := range d.Mounts {
				paths[i] = displayValue(m.Path)
			}
			mounted = strings.Join(paths, ",")
		}
		rows = append(rows, []string{d.Node, displayValue(d.UUID), displayValue(d.Label), displayValue(d.Device), displayValue(d.Type), mounted})
	}
	return table(rows)
}

// displayValue shows "-" for an empty value and quotes one that would be
// ambiguous in a column (spaces, quotes, control characters).
func displayValue(s string) string {
	if s == "" {
		return "-"
	}
	if strings.ContainsFunc(s, func(r rune) bool {
		return r <= ' ' || r == '"' || r == '\\' || r == 0x7f || r == '\u00a0'
	}) || s == "-" {
		return strconv.Quote(s)
	}
	return s
}

func table(rows [][]string) []string {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return lines
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func formatCounts(m map[string]uint64) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, m[k])
	}
	return strings.Join(parts, " ")
}

func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return now.Sub(t).Round(time.Second).String() + " ago"
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// mib writes a byte count in MiB, one decimal.
func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
