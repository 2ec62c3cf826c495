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

func renderWhere(r *messages.WhereResult, jsonOut bool) *answer {
	var ans *answer
	if jsonOut {
		ans = jsonAnswer(r, "")
	} else {
		ans = &answer{lines: diskTable(r.Matches)}
	}
	if len(r.Matches) == 0 {
		ans.code, ans.msg = "not-found", fmt.Sprintf("no disk matches %s", displayValue(r.Query))
		return ans
	}
	nodes := map[string]bool{}
	var names []string
	for _, m := range r.Matches {
		if !nodes[m.Node] {
			nodes[m.Node] = true
			names = append(names, m.Node)
		}
	}
	ans.summary = "on " + strings.Join(names, ", ")
	return ans
}

func renderPeers(p *messages.Peers, jsonOut bool, now time.Time) *answer {
	summary := plural(len(p.Peers), "peer")
	if jsonOut {
		return jsonAnswer(nonNil(p.Peers), summary)
	}
	rows := [][]string{{"NODE", "ADDRESS", "LAST HEARD", "DISKS", "INSTANCE"}}
	for _, x := range p.Peers {
		rows = append(rows, []string{x.Node, x.Addr, ago(now, x.LastSeen), strconv.Itoa(x.Disks), x.Instance})
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
		{"disks:", fmt.Sprintf("%d local, %s", s.Local, plural(s.Peers, "peer"))},
		{"datagrams in:", fmt.Sprintf("%d (%d bytes; %d our own)", n.DatagramsIn, n.BytesIn, n.OwnIn)},
		{"datagrams out:", fmt.Sprintf("%d (%d bytes; %d send errors)", n.DatagramsOut, n.BytesOut, n.SendErrors)},
		{"drops:", formatCounts(s.Drops)},
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
		rows = append(rows, []string{"announce:", fmt.Sprintf("seq %d, %d bytes, at %s", a.Seq, a.Bytes, a.Last.Format(time.RFC3339))})
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
	rows := [][]string{{"NODE", "UUID", "LABEL", "DEVICE", "TYPE"}}
	for _, d := range disks {
		rows = append(rows, []string{d.Node, displayValue(d.UUID), displayValue(d.Label), displayValue(d.Device), displayValue(d.Type)})
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
