package test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages/wire"
	"github.com/diskd-actors/diskd-actors/test/bed"
	"golang.org/x/net/ipv4"
)

// Hostile datagrams over real sockets on lo: each is dropped and counted
// by its reason, and the daemon goes on answering with its data intact.
func TestProtocol_HostileDatagrams(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	// The target accepts the original's datagrams (legacy.accept, off by
	// default) so that its parser faces the hostile ones; the friend keeps
	// the default and refuses them all as "legacy".
	d := n.start("target", exportDisk("/dev/sda1", uuidFor(0, 1), "precious", "ext4"), withYAML("legacy:\n  accept: true\n"))
	p := n.start("friend", exportDisk("/dev/sda1", uuidFor(1, 1), "friendly", "ext4"))
	eventually(t, 10*time.Second, "target lists both disks", func() bool { return len(d.list()) == 2 })

	frame := func(body string) []byte { return wire.EncodeFrame([]byte(body), nil) }
	chunk := `{"v":2,"kind":"chunk","node":"evil","instance":"00000000000000ee","seq":%d,"gen":1,"chunks":1,"index":0,"disks":[{"label":"evil"}]}`
	bomb := "diskd:\n- &a [x, x, x, x, x, x, x, x, x]\n- &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n- &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n- &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	cases := []struct {
		name   string
		data   []byte
		reason string
	}{
		{"truncated frame", frame(fmt.Sprintf(chunk, 1))[:30], "malformed"},
		{"bare magic", []byte("dskd"), "malformed"},
		{"invalid JSON", frame(`{"v":2,"kind":`), "malformed"},
		{"wrong types", frame(`{"v":2,"kind":"chunk","node":["x"],"seq":"one"}`), "malformed"},
		{"oversize", append(frame(fmt.Sprintf(chunk, 2)), make([]byte, 1500)...), "oversize"},
		{"deep nesting", frame(`{"v":2,"kind":"chunk","node":` + strings.Repeat("[", 1000) + `}`), "malformed"},
		{"huge counts", frame(`{"v":2,"kind":"announce","node":"evil","instance":"00000000000000ee","seq":3,"gen":1,"chunks":99999999,"digest":"0123456789abcdef","count":5}`), "invalid"},
		{"future version", frame(`{"v":9,"kind":"teleport"}`), "version"},
		{"unknown kind", frame(`{"v":2,"kind":"teleport","node":"evil"}`), "kind"},
		{"spoofed node name", frame(`{"v":2,"kind":"ping","node":"target","instance":"00000000000000ee","seq":4}`), "node_conflict"},
		{"signed, we have no keys", wire.EncodeFrame([]byte(fmt.Sprintf(chunk, 5)), []byte("0123456789abcdef")), "unverifiable"},
		{"legacy list of scalars", []byte("diskd:[1, 2, 3]"), "legacy_invalid"},
		{"legacy invalid YAML", []byte("diskd: [unclosed"), "legacy_invalid"},
		{"legacy mapping", []byte("diskd:{a: 1, b: [2]}"), "legacy_invalid"},
		{"legacy alias bomb", []byte(bomb), "legacy_invalid"},
		{"legacy deep nesting", []byte("diskd:" + strings.Repeat("[", 400) + strings.Repeat("]", 400)), "legacy_invalid"},
	}
	for _, c := range cases {
		before := d.drops()[c.reason]
		n.sendRaw(c.data)
		eventually(t, 5*time.Second, c.name+" counted as "+c.reason, func() bool { return d.drops()[c.reason] > before })
		if got := d.list(); len(got) != 2 {
			t.Fatalf("after %s: %d disks, want 2: %+v", c.name, len(got), got)
		}
	}
	eventually(t, 5*time.Second, "the friend refuses the legacy datagrams by default", func() bool { return p.drops()["legacy"] >= 5 })
	// A replayed datagram: the same bytes twice.
	replayed := frame(fmt.Sprintf(chunk, 100))
	n.sendRaw(replayed)
	eventually(t, 5*time.Second, "evil's chunk accepted once", func() bool { return countNode(d.list(), "evil") == 1 })
	before := d.drops()["replay"]
	n.sendRaw(replayed)
	eventually(t, 5*time.Second, "the replay counted", func() bool { return d.drops()["replay"] > before })
	// The friend is unharmed and still heard.
	if _, errs, code := p.client("refresh"); code != 0 {
		t.Fatal(errs)
	}
	if out, _, code := d.client("where", "friendly"); code != 0 || !strings.Contains(out, "friend") {
		t.Errorf("where friendly after the hostile suite: exit %d %q", code, out)
	}
}

// Two daemons with 1,000 disks each see each other's inventories in full:
// chunked, never cut.
func TestProtocol_ThousandDisks(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	inv := func(node int) string {
		var b strings.Builder
		for i := range 1000 {
			b.WriteString(exportDisk(fmt.Sprintf("/dev/disk/by-path/pci-0000:00:1f.%d-ata-%d", node, i),
				fmt.Sprintf("%08d-aaaa-4bbb-8ccc-%012d", node, i), fmt.Sprintf("shelf %d slot %d", node, i), "xfs"))
		}
		return b.String()
	}
	a := n.start("big1", inv(1))
	b := n.start("big2", inv(2))
	for _, d := range []*daemon{a, b} {
		eventually(t, 20*time.Second, d.name+" lists 2,000 disks", func() bool { return len(d.list()) == 2000 })
	}
	if out, _, code := a.client("where", "shelf 2 slot 999"); code != 0 || !strings.Contains(out, "big2") {
		t.Errorf("where the last disk of big2: exit %d, %q", code, out)
	}
	st := a.status()
	ann, _ := st["announce"].(map[string]any)
	if chunks, _ := ann["chunks"].(float64); chunks < 10 {
		t.Errorf("announce status %v: want the inventory in many chunks", ann)
	}
}

func key(t *testing.T, seed byte) string {
	t.Helper()
	k := make([]byte, 32)
	for i := range k {
		k[i] = seed + byte(i)
	}
	return base64.StdEncoding.EncodeToString(k)
}

// A keyed cluster: key rotation without downtime (first key signs, all
// verify), an intruder with another key and an unkeyed daemon are shut out.
func TestProtocol_KeyedClusterRotationAndIntruder(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	k1, k2, k3 := key(t, 1), key(t, 50), key(t, 100)
	keyFile := filepath.Join(t.TempDir(), "cluster.key")
	if err := os.WriteFile(keyFile, []byte(k1+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Mid-rotation: a still signs with k1, b already with k2; both verify both.
	a := n.start("ka", exportDisk("/dev/sda1", uuidFor(0, 1), "ka-disk", "ext4"),
		withYAML(fmt.Sprintf("auth:\n  keys: [%s]\n  key_files: [%s]\n", k2, keyFile)))
	a2 := n.start("ka2", exportDisk("/dev/sda1", uuidFor(3, 1), "ka2-disk", "ext4"),
		withYAML(fmt.Sprintf("auth:\n  keys: [%s, %s]\n", k1, k2)))
	b := n.start("kb", exportDisk("/dev/sda1", uuidFor(1, 1), "kb-disk", "ext4"),
		withYAML(fmt.Sprintf("auth:\n  keys: [%s, %s]\n", k2, k1)))
	intruder := n.start("intruder", exportDisk("/dev/sda1", uuidFor(2, 1), "evil-disk", "ext4"),
		withYAML(fmt.Sprintf("auth:\n  keys: [%s]\n", k3)))
	open := n.start("open", exportDisk("/dev/sda1", uuidFor(4, 1), "open-disk", "ext4"))
	eventually(t, 10*time.Second, "ka, ka2 and kb see each other", func() bool {
		return countNode(a2.list(), "kb") == 1 && countNode(b.list(), "ka2") == 1 &&
			countNode(a.list(), "kb") == 1 && countNode(b.list(), "ka") == 1
	})
	eventually(t, 10*time.Second, "bad signatures and unauthenticated datagrams counted at kb", func() bool {
		dr := b.drops()
		return dr["bad_signature"] > 0 && dr["unauthenticated"] > 0
	})
	eventually(t, 10*time.Second, "the unkeyed daemon cannot verify the cluster", func() bool { return open.drops()["unverifiable"] > 0 })
	for _, d := range []*daemon{a2, b} {
		for _, stranger := range []string{"intruder", "open"} {
			if got := countNode(d.list(), stranger); got != 0 {
				t.Errorf("%s lists %d disks of %s", d.name, got, stranger)
			}
		}
	}
	if got := len(intruder.list()); got != 1 {
		t.Errorf("the intruder learned %d disks, want only its own", got)
	}
	// Legacy datagrams are never accepted with keys configured.
	n.sendRaw([]byte("diskd:---\n- - 11111111-2222-4333-8444-555555555555\n  - sneaky\n  - /dev/sdz1\n"))
	eventually(t, 5*time.Second, "legacy refused in a keyed cluster", func() bool { return b.drops()["legacy"] > 0 })
}

// A key file readable by others is refused at start, with a clear message.
func TestProtocol_KeyFilePermissions(t *testing.T) {
	t.Parallel()
	keyFile := filepath.Join(t.TempDir(), "open.key")
	if err := os.WriteFile(keyFile, []byte(key(t, 7)), 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := newNetwork(t).bed.AddHost(bed.HostOptions{Name: "open-key", NoStart: true,
		Configure: func(c *config.Config) { c.Auth.KeyFiles = []string{keyFile} }})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(); err != nil {
		t.Fatal(err)
	}
	err = h.Wait(15 * time.Second)
	errs := h.Log()
	if err == nil || h.ExitCode() <= 0 || !strings.Contains(errs, keyFile) || !strings.Contains(errs, "chmod") {
		t.Errorf("daemon with a world-readable key file: %v (exit %d), stderr %q; want a refusal naming the file", err, h.ExitCode(), errs)
	}
}

// Datagrams of the original Perl diskd are understood (keyed by the
// sender's address, marked legacy), and with legacy.announce ours are sent
// in its format too.
func TestProtocol_LegacyPeers(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	// Listen as the original would, on the group and port.
	reuse := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1) })
		return serr
	}}
	lc, err := reuse.ListenPacket(context.Background(), "udp4", fmt.Sprintf("0.0.0.0:%d", n.port))
	if err != nil {
		t.Skipf("cannot bind the shared port for the legacy listener: %v", err)
	}
	defer lc.Close()
	pc := ipv4.NewPacketConn(lc)
	lo, _ := net.InterfaceByName("lo")
	if err := pc.JoinGroup(lo, &net.UDPAddr{IP: net.ParseIP(n.group)}); err != nil {
		t.Fatal(err)
	}
	d := n.start("modern", exportDisk("/dev/sda1", uuidFor(0, 1), "modern disk", "ext4"),
		withYAML("legacy:\n  accept: true\n  announce: true\n"))
	// The capture from the original, with a label that has a space.
	n.sendRaw([]byte("diskd:---\n- - 11111112-aaaa-bbbb-cccc-000000000002\n  - host2-root\n  - /dev/sd2a1\n- - 22222222-aaaa-bbbb-cccc-000000000002\n  - backup 2\n  - /dev/sd2b1\n- - ~\n  - no-uuid\n  - /dev/sd2c1\n"))
	eventually(t, 5*time.Second, "the legacy peer's disks listed", func() bool { return countNode(d.list(), "127.0.0.1") == 3 })
	out, _, code := d.client("where", "backup 2")
	if code != 0 || !strings.Contains(out, "127.0.0.1") {
		t.Errorf("where a legacy disk: exit %d, %q; want the peer's address", code, out)
	}
	peers, _, _ := d.client("peers")
	if !strings.Contains(peers, "legacy") {
		t.Errorf("peers does not mark the legacy peer: %q", peers)
	}
	// Our own announcement in the original's format.
	buf := make([]byte, 2048)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		lc.SetReadDeadline(deadline)
		k, _, err := lc.ReadFrom(buf)
		if err != nil {
			break
		}
		if strings.HasPrefix(string(buf[:k]), "diskd:") {
			disks, err := wire.DecodeLegacy(buf[:k])
			if err == nil && len(disks) == 1 && disks[0].Label == "modern disk" {
				return
			}
		}
	}
	t.Errorf("no legacy announcement of our disk arrived")
}
