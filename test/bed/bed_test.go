package bed

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/config"
)

func TestMain(m *testing.M) { Main(m) }

func stateIs(h *Host, node, want string) func() (bool, error) {
	return func() (bool, error) {
		st, err := h.PeerState(node)
		return st == want, err
	}
}

// The bed itself on lo: hosts find each other, a changed disk list reaches
// a peer after Refresh, kill -9 and restart are seen by peers, and the
// helpers report what they should.
func TestBed_Lo(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping a test that runs daemons")
	}
	b := New(t, Options{Hosts: 3, Announce: 250 * time.Millisecond, PeerTimeout: time.Second})
	if _, err := b.WaitConverged(context.Background(), 0, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	h0, h1, h2 := b.Hosts[0], b.Hosts[1], b.Hosts[2]

	disks := append(h0.Disks(), Disk{Device: "/dev/new", UUID: UUID(0, 99), Label: `new "disk" ü`, Type: "xfs", MountPoint: "/mnt/new disk"})
	if err := h0.ChangeDisks(disks); err != nil {
		t.Fatal(err)
	}
	if err := h0.Refresh(); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, 5*time.Second, "h01 finds h00's new disk", func() (bool, error) {
		a, err := h1.Query(`where "new \"disk\" ü"`)
		return err == nil && a.Summary() == "on h00", err
	})
	// The mount table is read every MountsInterval (1s), apart from blkid.
	WaitFor(t, 5*time.Second, "h01 lists the new disk with its mount point", func() (bool, error) {
		list, err := h1.List()
		for _, d := range list {
			if d.UUID == UUID(0, 99) {
				return d.Label == `new "disk" ü` && len(d.Mounts) == 1 && d.Mounts[0].Path == "/mnt/new disk", fmt.Errorf("%+v", d)
			}
		}
		return false, err
	})
	if list, err := h1.List(); err != nil || len(list) != b.TotalDisks() {
		t.Errorf("h01 lists %d disks (%v), want %d", len(list), err, b.TotalDisks())
	}
	a, err := h1.Query("where no-such-disk")
	if err != nil || a.Code() != "not-found" {
		t.Errorf("where no-such-disk: %+v %v, want .err not-found", a, err)
	}

	// kill -9: down after the peer timeout; restart: alive again.
	before, err := h2.ProcStat()
	if err != nil || before.RSS == 0 {
		t.Errorf("ProcStat of a running daemon: %+v %v, want a resident size", before, err)
	}
	if err := h2.KillHard(); err != nil {
		t.Fatal(err)
	}
	if h2.Running() || h2.PID() != 0 {
		t.Errorf("after KillHard: running %v pid %d, want stopped", h2.Running(), h2.PID())
	}
	WaitFor(t, 5*time.Second, "h00 marks h02 down", stateIs(h0, "h02", "down"))
	if err := h2.Restart(); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, 5*time.Second, "h00 sees h02 alive again", stateIs(h0, "h02", "alive"))
	st, err := h0.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Node != "h00" || st.Network.BytesOut == 0 {
		t.Errorf("status of h00: node %q, bytes out %d; want h00 and traffic", st.Node, st.Network.BytesOut)
	}

	// Stop is clean; Stop again does nothing; Cut needs netns mode.
	if err := h1.Stop(); err != nil {
		t.Error(err)
	}
	if err := h1.Stop(); err != nil {
		t.Errorf("second Stop: %v, want nil", err)
	}
	if err := h0.Cut(); err == nil {
		t.Errorf("Cut in lo mode: nil error, want one")
	}
	if _, err := h1.Query("status"); err == nil {
		t.Errorf("query of a stopped daemon: no error, want one")
	}
}

// Configure must not move a daemon off the bed's interface.
func TestBed_ConfigureKeepsInterface(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	b := &Bed{Dir: t.TempDir(), opts: Options{Configure: func(_ int, c *config.Config) { c.Multicast.Interface = "eth0" }}}
	b.opts.defaults()
	h := &Host{Name: "x", Dir: b.Dir, Iface: "lo", ConfigFile: b.Dir + "/c.yaml", Socket: b.Dir + "/s",
		BlkidFile: b.Dir + "/b", MountsFile: b.Dir + "/m", bed: b}
	err := b.writeConfig(h)
	if err == nil || !strings.Contains(err.Error(), "multicast.interface") {
		t.Errorf("writeConfig with Configure setting eth0: %v, want a refusal naming multicast.interface", err)
	}
}

// The bed in network namespaces: Cut makes peers mark the host down, Heal
// brings it back with no other action, and Close removes the namespaces.
func TestBed_Netns(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping a test that runs daemons")
	}
	b := New(t, Options{Hosts: 3, Mode: Netns, Announce: 250 * time.Millisecond, PeerTimeout: time.Second})
	if _, err := b.WaitConverged(context.Background(), 0, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	h0, h2 := b.Hosts[0], b.Hosts[2]
	if h2.Addr == "" || !strings.HasPrefix(h2.Addr, "198.18.") {
		t.Errorf("h02 address %q, want one in 198.18.0.0/15", h2.Addr)
	}
	if err := h2.Cut(); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, 5*time.Second, "h00 marks the cut-off h02 down", stateIs(h0, "h02", "down"))
	WaitFor(t, 5*time.Second, "the cut-off h02 marks h00 down", stateIs(h2, "h00", "down"))
	if err := h2.Heal(); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, 5*time.Second, "h00 sees h02 alive again", stateIs(h0, "h02", "alive"))
	WaitFor(t, 5*time.Second, "h02 lists every disk again", func() (bool, error) {
		l, err := h2.List()
		return len(l) == b.TotalDisks(), err
	})
	namespaces := append([]string{b.net.bridgeNS}, b.net.hostNS...)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := runIP("netns", "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, ns := range namespaces {
		if strings.Contains(out, ns) {
			t.Errorf("namespace %s still exists after Close", ns)
		}
	}
}

func runIP(args ...string) (string, error) {
	out, err := exec.Command("ip", args...).Output()
	if err != nil {
		return "", fmt.Errorf("ip %v: %w", args, err)
	}
	return string(out), nil
}
