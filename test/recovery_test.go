package test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// recoveryAnnounce is announce.interval in the recovery tests; the
// contract is that peers list a recovered host again within two of them.
const recoveryAnnounce = time.Second

// recoveryBed starts three daemons in network namespaces (root only; the
// bed skips otherwise) and waits until each knows every disk.
func recoveryBed(t *testing.T) *bed.Bed {
	t.Helper()
	b := bed.New(t, bed.Options{Hosts: 3, Mode: bed.Netns, Announce: recoveryAnnounce, PeerTimeout: 2 * recoveryAnnounce,
		Race: true, LogLevel: "info"}) // the watcher runs in a real daemon here: race-check it
	if _, err := b.WaitConverged(context.Background(), 0, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	return b
}

// recoveryPeer returns node as h lists it, or an error if h does not.
func recoveryPeer(h *bed.Host, node string) (messages.Peer, error) {
	ps, err := h.Peers()
	if err != nil {
		return messages.Peer{}, err
	}
	for _, p := range ps {
		if p.Node == node {
			return p, nil
		}
	}
	return messages.Peer{}, fmt.Errorf("%s does not list %s", h.Name, node)
}

// recoveryWait polls cond until it holds or the deadline passes. The
// deadline only bounds a failing test; how fast recovery was is judged on
// the daemons' own last-seen times.
func recoveryWait(t *testing.T, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, err := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true within 15s (last error: %v)", what, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// heardAfter waits until h lists node alive, heard after since (and from
// an address starting with addr, when addr is not ""), and returns that
// record.
func heardAfter(t *testing.T, h *bed.Host, node string, since time.Time, addr string) messages.Peer {
	t.Helper()
	var got messages.Peer
	recoveryWait(t, h.Name+" hears "+node+" again", func() (bool, error) {
		p, err := recoveryPeer(h, node)
		got = p
		return err == nil && p.State == messages.PeerAlive && p.LastSeen.After(since) &&
			(addr == "" || strings.HasPrefix(p.Addr, addr+":")), err
	})
	return got
}

// checkRecovered asserts what recovery promises once the host is heard
// again: within two announce intervals of the change (on the peer's
// clock), by the same instance (no restart), and the host hears every
// peer again.
func checkRecovered(t *testing.T, b *bed.Bed, h *bed.Host, changed time.Time, addr string, before map[string]string) {
	t.Helper()
	for _, peer := range b.Hosts {
		if peer == h {
			continue
		}
		p := heardAfter(t, peer, h.Name, changed, addr)
		took := p.LastSeen.Sub(changed)
		t.Logf("%s heard %s again %v after the change", peer.Name, h.Name, took.Round(time.Millisecond))
		if took > 2*recoveryAnnounce {
			t.Errorf("%s heard %s again %v after the change, want within two announce intervals (%v)",
				peer.Name, h.Name, took, 2*recoveryAnnounce)
		}
		if p.Instance != before[peer.Name] {
			t.Errorf("%s lists %s as instance %s, was %s: the daemon restarted", peer.Name, h.Name, p.Instance, before[peer.Name])
		}
		heardAfter(t, h, peer.Name, changed, "")
	}
}

// instances records the instance each peer lists h as.
func instances(t *testing.T, b *bed.Bed, h *bed.Host) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, peer := range b.Hosts {
		if peer == h {
			continue
		}
		p, err := recoveryPeer(peer, h.Name)
		if err != nil {
			t.Fatal(err)
		}
		out[peer.Name] = p.Instance
	}
	return out
}

// checkLog asserts that the host logged its recovery and that no daemon
// of the bed reported a data race.
func checkLog(t *testing.T, b *bed.Bed, h *bed.Host) {
	t.Helper()
	if log := h.LogTail(1 << 20); !strings.Contains(log, "multicast recovered") {
		t.Errorf("%s did not log its recovery; %s", h.Name, h.LogTail(20))
	}
	for _, x := range b.Hosts {
		if log := x.LogTail(1 << 20); strings.Contains(log, "DATA RACE") {
			t.Errorf("%s: a data race; %s", x.Name, log)
		}
	}
}

func linkOf(t *testing.T, h *bed.Host) *messages.LinkStatus {
	t.Helper()
	st, err := h.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Network.Link == nil {
		t.Fatalf("%s: status --json has no network.link", h.Name)
	}
	return st.Network.Link
}

// A host whose link goes down long enough for its peers to mark it down,
// then up: it is listed again and hears its peers, without a restart, and
// its status counts the rejoin.
func TestRecovery_LinkFlap(t *testing.T) {
	t.Parallel()
	b := recoveryBed(t)
	h0, h2 := b.Hosts[0], b.Hosts[2]
	before, pid := instances(t, b, h2), h2.PID()

	if err := h2.Cut(); err != nil {
		t.Fatal(err)
	}
	recoveryWait(t, "h00 marks the cut-off h02 down", func() (bool, error) {
		p, err := recoveryPeer(h0, "h02")
		return p.State == messages.PeerDown, err
	})
	recoveryWait(t, "h02 marks h00 down", func() (bool, error) {
		p, err := recoveryPeer(h2, "h00")
		return p.State == messages.PeerDown, err
	})
	healed := time.Now()
	if err := h2.Heal(); err != nil {
		t.Fatal(err)
	}
	checkRecovered(t, b, h2, healed, "", before)
	if h2.PID() != pid {
		t.Errorf("h02's daemon is pid %d, was %d", h2.PID(), pid)
	}
	l := linkOf(t, h2)
	if l.Rejoins < 1 || !l.Up || l.Interface != "veth0" {
		t.Errorf("h02 network.link after the flap: %+v, want at least one rejoin and the link up", l)
	}
	t.Logf("h02 link: %s", l.Line())
	checkLog(t, b, h2)
}

// A host renumbered within 198.18.0.0/15 while its daemon runs: peers hear
// it from its new address, it hears them, and its status counts the
// rebind.
func TestRecovery_Renumber(t *testing.T) {
	t.Parallel()
	b := recoveryBed(t)
	h2 := b.Hosts[2]
	before, pid := instances(t, b, h2), h2.PID()
	old, addr := h2.Addr, bed.RenumberAddr(h2.Index, 1)

	changed := time.Now()
	if err := h2.Renumber(addr); err != nil {
		t.Fatal(err)
	}
	checkRecovered(t, b, h2, changed, addr, before)
	if h2.PID() != pid {
		t.Errorf("h02's daemon is pid %d, was %d", h2.PID(), pid)
	}
	l := linkOf(t, h2)
	if l.Rebinds < 1 || l.Rejoins < 1 || l.Address != addr || l.LastFix != "address changed" {
		t.Errorf("h02 network.link after renumbering %s → %s: %+v, want a rebind to %s", old, addr, l, addr)
	}
	t.Logf("h02 link: %s", l.Line())
	checkLog(t, b, h2)
}

// A host whose interface is removed and made again (a new index, same
// name and address): the group is joined on the new interface and the
// sending socket re-opened on it.
func TestRecovery_Replug(t *testing.T) {
	t.Parallel()
	b := recoveryBed(t)
	h2 := b.Hosts[2]
	before, pid := instances(t, b, h2), h2.PID()

	changed := time.Now()
	if err := h2.Replug(); err != nil {
		t.Fatal(err)
	}
	checkRecovered(t, b, h2, changed, h2.Addr, before)
	if h2.PID() != pid {
		t.Errorf("h02's daemon is pid %d, was %d", h2.PID(), pid)
	}
	l := linkOf(t, h2)
	if l.Rebinds < 1 || l.Rejoins < 1 || l.LastFix != "interface index changed" {
		t.Errorf("h02 network.link after a replug: %+v, want a rejoin and a rebind for the new index", l)
	}
	t.Logf("h02 link: %s", l.Line())
	checkLog(t, b, h2)
}
