package test

import (
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/diskd-actors/diskd-actors/test/bed"
)

// `localhost` prints one address a line, aligned under the first; `status`
// prints byte counts for people while `status --json` keeps them exact.
func TestLocalhostAndStatus_textForPeople(t *testing.T) {
	t.Parallel()
	b := bed.New(t, bed.Options{Hosts: 1, Bin: bin})
	h := b.Hosts[0]
	out, errs, code, err := h.Client("localhost")
	if err != nil || code != 0 {
		t.Fatalf("localhost: exit %d, %v: %s", code, err, errs)
	}
	lines := strings.Split(out, "\n")
	first := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "addresses:") {
			first = i
		}
	}
	if first < 0 {
		t.Fatalf("localhost: no addresses row in\n%s", out)
	}
	indent := len(lines[first]) - len(strings.TrimLeft(strings.TrimPrefix(lines[first], "addresses:"), " "))
	shown := []string{strings.TrimSpace(strings.TrimPrefix(lines[first], "addresses:"))}
	for _, l := range lines[first+1:] {
		if !strings.HasPrefix(l, strings.Repeat(" ", indent)) {
			break
		}
		shown = append(shown, strings.TrimSpace(l))
	}
	addrs, err := net.InterfaceAddrs() // the daemon runs on this host, in this namespace
	if err != nil {
		t.Fatal(err)
	}
	if len(shown) != len(addrs) {
		t.Errorf("localhost: %d address lines %q, want the host's %d addresses %v", len(shown), shown, len(addrs), addrs)
	}
	for _, a := range shown {
		if strings.Contains(a, " ") || net.ParseIP(a) == nil {
			t.Errorf("localhost: address line %q, want one address", a)
		}
	}

	out, errs, code, err = h.Client("status")
	if err != nil || code != 0 {
		t.Fatalf("status: exit %d, %v: %s", code, err, errs)
	}
	human := regexp.MustCompile(`(?m)^datagrams out: +[0-9]+ \([0-9.]+ (B|KiB|MiB|GiB); [0-9]+ send errors\)$`)
	if !human.MatchString(out) {
		t.Errorf("status: no datagrams out row with a size for people in\n%s", out)
	}
	st, err := h.Status()
	if err != nil || st.Network.BytesOut == 0 {
		t.Errorf("status --json: bytes out %d, %v; want the exact count", st.Network.BytesOut, err)
	}
}
