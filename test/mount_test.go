package test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/actors/mountpolicy"
	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

var mountKey = []byte("mount-test-key-0123456789")

// mountedBelow lists the mount points below base in the mount namespace
// of process pid (the daemon's: ip netns exec gives it one of its own).
func mountedBelow(t *testing.T, pid int, base string) []string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/mountinfo", pid))
	if err != nil {
		t.Fatalf("mount table of pid %d: %v", pid, err)
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 5 && strings.HasPrefix(f[4], base+"/") {
			out = append(out, f[4]+" "+f[5])
		}
	}
	return out
}

// As root, with loop devices and three daemons in network namespaces: the
// holder (keyed, real blkid, mount.policy), the asker (keyed) and a bare
// daemon (no keys). The asker's allowed mount mounts below base with
// nosuid,nodev and the asker lists it mounted; requests outside the
// policy, options outside the allow-list, labels crafted to escape base,
// an unsigned request and a replayed request id are refused, counted, and
// leave nothing mounted; unmount undoes the mount.
func TestMount_RemoteUnderPolicy(t *testing.T) {
	if reason := bed.LoopUnavailable(); reason != "" {
		t.Skip("SKIP: remote mount: " + reason)
	}
	if reason := bed.NetnsUnavailable(); reason != "" {
		t.Skip("SKIP: remote mount: " + reason)
	}
	for _, tool := range []string{"mount", "umount", "nsenter"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip("SKIP: remote mount: needs " + tool)
		}
	}
	tag := os.Getpid() % 100000
	okLabel, noLabel := fmt.Sprintf("dmok%d", tag), fmt.Sprintf("dmno%d", tag)
	okImg, okUUID := bed.Ext4Image(t, okLabel)
	noImg, _ := bed.Ext4Image(t, noLabel)
	bed.AttachLoop(t, okImg)
	bed.AttachLoop(t, noImg)
	evil := map[string]string{} // uuid → crafted label
	for i, label := range []string{"../../etc", "a/b", "a\nb"} {
		img, uuid := bed.Ext4Image(t, fmt.Sprintf("evil%d", i))
		if out, err := exec.Command("e2label", img, label).CombinedOutput(); err != nil {
			t.Fatalf("e2label %q: %v\n%s", label, err, out)
		}
		bed.AttachLoop(t, img)
		evil[uuid] = label
	}

	b := bed.New(t, bed.Options{Hosts: bed.NoHosts, Mode: bed.Netns, Tags: build.Tags, Race: build.Race,
		LogLevel: "info", Announce: 250 * time.Millisecond, PeerTimeout: 2 * time.Second})
	base := filepath.Join(b.Dir, "srv")
	key := base64.StdEncoding.EncodeToString(mountKey)
	rules := []mountpolicy.Rule{{Allow: []string{"mount", "unmount"}, From: []string{"asker"}, Label: "dmok*", Options: []string{"ro", "noatime"}}}
	for uuid := range evil { // allowed by uuid: only the label check may refuse them
		rules = append(rules, mountpolicy.Rule{Allow: []string{"mount"}, From: []string{"asker"}, UUID: uuid})
	}
	holder, err := b.AddHost(bed.HostOptions{Name: "holder", Keys: []string{key}, MountsFile: "/proc/self/mountinfo",
		Configure: func(c *config.Config) {
			d := config.Default()
			c.Blkid.Command, c.Identity = d.Blkid.Command, d.Identity
			c.Hotplug.Enabled = false // uevents do not reach a network namespace
			c.Mount.Policy = &mountpolicy.Policy{Base: base, Rules: rules}
		}})
	if err != nil {
		t.Fatal(err)
	}
	hpid := holder.PID()
	t.Cleanup(func() {
		if t.Failed() {
			for _, h := range b.Hosts {
				t.Logf("%s's log:\n%s", h.Name, h.LogTail(60))
			}
		}
	})
	t.Cleanup(func() { // before the bed stops the daemons: unmount whatever is left
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/mountinfo", hpid))
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) > 4 && strings.HasPrefix(f[4], base+"/") {
				t.Logf("cleanup: umount -l %s", f[4])
				_ = exec.Command("nsenter", "-t", fmt.Sprint(hpid), "-m", "umount", "-l", f[4]).Run()
			}
		}
	})
	asker, err := b.AddHost(bed.HostOptions{Name: "asker", Keys: []string{key},
		Configure: func(c *config.Config) {
			// A short wait for the no-answer case; a long peer timeout
			// keeps the holder's disks listed once it is cut off.
			c.Mount.Timeout, c.Mount.Wait, c.Peer.Timeout = time.Second, 5*time.Second, time.Minute
		}})
	if err != nil {
		t.Fatal(err)
	}
	bare, err := b.AddHost(bed.HostOptions{Name: "bare"})
	if err != nil {
		t.Fatal(err)
	}
	bed.WaitFor(t, 30*time.Second, "the asker lists the holder's disks", func() (bool, error) {
		d, ok := peerDisk(t, asker, "holder", okLabel)
		return ok && d.UUID == okUUID, nil
	})

	client := func(h *bed.Host, args ...string) (string, int) {
		t.Helper()
		out, errOut, code, err := h.Client(args...)
		if err != nil {
			t.Fatal(err)
		}
		return out + errOut, code
	}
	nothingMounted := func(when string) {
		t.Helper()
		if m := mountedBelow(t, hpid, base); len(m) > 0 {
			t.Fatalf("%s: mounted below %s: %q", when, base, m)
		}
	}

	// Refused by the holder's policy, before anything runs.
	for _, args := range [][]string{
		{"mount", okLabel, "--options", "exec"},
		{"mount", okLabel, "--options", "suid"},
		{"mount", okLabel, "--options", "ro,exec"},
		{"mount", noLabel},
		{"unmount", noLabel},
	} {
		out, code := client(asker, args...)
		if code != 2 || !strings.Contains(out, "refused by holder") {
			t.Errorf("%q: exit %d, %q; want 2, refused by holder", args, code, out)
		}
	}
	for uuid, label := range evil {
		out, code := client(asker, "mount", uuid)
		if code != 2 || !strings.Contains(out, "refused by holder") {
			t.Errorf("mount of label %q: exit %d, %q; want 2, refused", label, code, out)
		}
	}
	out, code := client(asker, "mount", okLabel, "--options", "ro,,x")
	if code != 2 || !strings.Contains(out, "--options") {
		t.Errorf("malformed options: exit %d, %q; want a usage error", code, out)
	}
	// The bare daemon cannot hear the keyed holder, and would not send
	// unsigned; the holder drops a forged unsigned request unread.
	if out, code := client(bare, "mount", okLabel); code == 0 {
		t.Errorf("the unkeyed daemon's mount: exit 0, %q", out)
	}
	st0, err := holder.Status()
	if err != nil {
		t.Fatal(err)
	}
	unsigned, _ := wire.EncodeDatagram(&wire.Envelope{Kind: wire.KindMount, Node: "bare", Instance: "00000000000000b1", Seq: 1, To: "holder",
		Mount: &wire.MountBody{ID: strings.Repeat("0b", 16), At: time.Now().Unix(), Action: "mount", Disk: okLabel}}, nil)
	if err := bare.Inject(unsigned); err != nil {
		t.Fatal(err)
	}
	bed.WaitFor(t, 10*time.Second, "the holder counts the unsigned request", func() (bool, error) {
		st, err := holder.Status()
		return err == nil && st.Drops[wire.DropUnauthenticated] > st0.Drops[wire.DropUnauthenticated], err
	})
	nothingMounted("after the refusals")
	st, err := holder.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Mount == nil || !st.Mount.Policy || st.Mount.Refused["policy"] < 8 || st.Mount.Ran != 0 {
		t.Errorf("holder's mount status %+v; want policy refusals >= 8, no run", st.Mount)
	}

	// The allowed mount, and its state on the peer.
	began := time.Now()
	out, code = client(asker, "--json", "mount", okLabel, "--options", "ro")
	var ans messages.MountAnswer
	if code != 0 || json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &ans) != nil || ans.Point != filepath.Join(base, okLabel) {
		t.Fatalf("mount %s: exit %d, %q; want 0 and %s", okLabel, code, out, filepath.Join(base, okLabel))
	}
	answered := time.Now()
	m := mountedBelow(t, hpid, base)
	if len(m) != 1 || !strings.HasPrefix(m[0], ans.Point+" ") || !strings.Contains(m[0], "nosuid") || !strings.Contains(m[0], "nodev") || !strings.Contains(m[0], "ro") {
		t.Fatalf("holder's mounts below base: %q; want %s ro,nosuid,nodev", m, ans.Point)
	}
	bed.WaitFor(t, 10*time.Second, "the asker lists the disk mounted", func() (bool, error) {
		d, ok := peerDisk(t, asker, "holder", okLabel)
		return ok && len(d.Mounts) == 1 && d.Mounts[0].Path == ans.Point, nil
	})
	t.Logf("mount asked, done and listed mounted by the peer in %v; listed %v after the answer (target: within a second)",
		time.Since(began).Round(time.Millisecond), time.Since(answered).Round(time.Millisecond))
	out, code = client(asker, "mount", okLabel)
	if code != 0 || !strings.Contains(out, "mounted at "+ans.Point) {
		t.Errorf("second mount: exit %d, %q; want 0, its mount point", code, out)
	}

	// A replay of the request's one-time id, signed, with a fresh sequence
	// number: refused by the holder.
	st0, _ = holder.Status()
	replay, _ := wire.EncodeDatagram(&wire.Envelope{Kind: wire.KindMount, Node: "asker", Instance: "00000000000000a1", Seq: 1, To: "holder",
		Mount: &wire.MountBody{ID: ans.ID, At: time.Now().Unix(), Action: "unmount", Disk: okLabel}}, mountKey)
	if err := asker.Inject(replay); err != nil {
		t.Fatal(err)
	}
	bed.WaitFor(t, 10*time.Second, "the holder refuses the replayed id", func() (bool, error) {
		st, err := holder.Status()
		return err == nil && st.Mount.Refused["replay"] == st0.Mount.Refused["replay"]+1, err
	})
	if m := mountedBelow(t, hpid, base); len(m) != 1 {
		t.Fatalf("after the replayed unmount: %q; want the mount kept", m)
	}

	// Unmount undoes it.
	out, code = client(asker, "unmount", okLabel)
	if code != 0 || !strings.Contains(out, "unmounted") {
		t.Fatalf("unmount: exit %d, %q", code, out)
	}
	nothingMounted("after unmount")
	if _, err := os.Stat(ans.Point); !os.IsNotExist(err) {
		t.Errorf("mount point %s left behind: %v", ans.Point, err)
	}
	bed.WaitFor(t, 10*time.Second, "the asker lists the disk unmounted", func() (bool, error) {
		d, ok := peerDisk(t, asker, "holder", okLabel)
		return ok && len(d.Mounts) == 0, nil
	})

	// A holder that cannot be reached: no answer, exit 4.
	if err := holder.Cut(); err != nil {
		t.Fatal(err)
	}
	out, code = client(asker, "mount", okLabel)
	if code != 4 || !strings.Contains(out, "no answer from holder") {
		t.Errorf("mount with the holder cut off: exit %d, %q; want 4, no answer", code, out)
	}
	nothingMounted("after the unanswered request")
	if n := strings.Count(holder.Log(), `msg="mount request"`); n < 12 {
		t.Errorf("holder's log has %d audit lines of requests, want at least 12:\n%s", n, holder.LogTail(40))
	}
}
