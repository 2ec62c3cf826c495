package bed

import (
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// lossTable is the nftables table a bed adds to a host's namespace for
// Options.ReceiveLoss.
const lossTable = "diskd_bed_loss"

// LossUnavailable says why receive loss (Options.ReceiveLoss) cannot be
// set up here, or "" when it can: it needs netns mode and the nft command
// (Debian package nftables). This kernel has no netem; an nftables rule
// with `numgen random` inside each namespace drops the share instead.
func LossUnavailable() string {
	if reason := NetnsUnavailable(); reason != "" {
		return reason
	}
	if _, err := exec.LookPath("nft"); err != nil {
		return "needs the nft command (apt-get install nftables)"
	}
	return ""
}

// setLoss makes host ns drop pct percent, at random and independently, of
// the datagrams it receives on port from other addresses than its own
// (its own looped-back datagrams are left alone). Two counters record what
// arrived and what was dropped (LossCounters).
func setLoss(ns, addr string, port, pct int) error {
	if pct < 0 || pct > 100 {
		return fmt.Errorf("receive loss %d%%, want 0..100", pct)
	}
	rules := fmt.Sprintf(`table inet %[1]s {
	chain in {
		type filter hook input priority 0; policy accept;
		ip saddr != %[2]s udp dport %[3]d counter
		ip saddr != %[2]s udp dport %[3]d numgen random mod 100 < %[4]d counter drop
	}
}
`, lossTable, addr, port, pct)
	cmd := exec.Command("ip", "netns", "exec", ns, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(rules)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("nft in %s: %v: %s", ns, err, strings.TrimSpace(string(out)))
	}
	return nil
}

var nftCounter = regexp.MustCompile(`counter packets (\d+) bytes \d+`)

// LossCounters returns how many datagrams from its peers reached the
// host's namespace and how many of them its loss rule dropped (netns mode
// with Options.ReceiveLoss).
func (h *Host) LossCounters() (received, dropped int64, err error) {
	if h.NS == "" {
		return 0, 0, fmt.Errorf("%s: no namespace (netns mode only)", h.Name)
	}
	out, err := exec.Command("ip", "netns", "exec", h.NS, "nft", "list", "chain", "inet", lossTable, "in").CombinedOutput()
	if err != nil {
		return 0, 0, fmt.Errorf("%s: nft list: %v: %s", h.Name, err, strings.TrimSpace(string(out)))
	}
	m := nftCounter.FindAllStringSubmatch(string(out), -1)
	if len(m) != 2 {
		return 0, 0, fmt.Errorf("%s: want 2 counters in the loss chain, got %d:\n%s", h.Name, len(m), out)
	}
	received, _ = strconv.ParseInt(m[0][1], 10, 64)
	dropped, _ = strconv.ParseInt(m[1][1], 10, 64)
	return received, dropped, nil
}
