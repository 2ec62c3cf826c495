package actors

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/actors/mountpolicy"
	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

const mountDisk = "DEVNAME=/dev/sdz1\nLABEL=backup1\nUUID=5d1c2b3a-0000-4000-8000-00000000beef\nTYPE=ext4\n"

// fakeMounter writes mount and umount scripts that record their argv and
// edit a mount table file as the kernel would, and returns a configure
// func for the holder and the argv log.
func fakeMounter(t *testing.T, mountBody string) (func(*Options), string) {
	t.Helper()
	dir := t.TempDir()
	table, args := filepath.Join(dir, "mountinfo"), filepath.Join(dir, "args")
	if err := os.WriteFile(table, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\necho \"$0 $*\" >> "+args+"\n"+body), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	mount := write("mount", mountBody+"\necho \"99 1 8:1 / $7 rw,nosuid,nodev - ext4 $6 rw\" >> "+table+"\n")
	umount := write("umount", "grep -v \" $2 \" "+table+" > "+table+".new; mv "+table+".new "+table+"\n")
	base := filepath.Join(dir, "srv")
	return func(o *Options) {
		c := o.Config
		c.Mounts.File = table
		c.Mount.Command, c.Mount.UnmountCommand = []string{mount}, []string{umount}
		c.Mount.Timeout, c.Mount.Wait = 300*time.Millisecond, 5*time.Second
		c.Mount.Policy = &mountpolicy.Policy{Base: base, Rules: []mountpolicy.Rule{
			{Allow: []string{"mount", "unmount"}, From: []string{"asker"}, Label: "backup*", Options: []string{"ro"}}}}
	}, args
}

func keyed(o *Options) {
	o.Config.Auth.Keys = []string{base64.StdEncoding.EncodeToString([]byte("actor-test-key-0123456789"))}
}

func askMount(t *testing.T, dm *Daemon, m *messages.MountAsk) *messages.MountAnswer {
	t.Helper()
	res, err := dm.sys.Root.RequestFuture(dm.deps.pids.mountRequester, m, 10*time.Second).Result()
	if err != nil {
		t.Fatal(err)
	}
	return res.(*messages.MountAnswer)
}

// A keyed peer's mount runs the mount command as argv with nosuid,nodev,
// the holder's table is read at once and both daemons see the mount;
// unmount undoes it and removes the mount point.
func TestMount_PeerMountsAndUnmounts(t *testing.T) {
	h := &transport.Hub{}
	withMounter, args := fakeMounter(t, "")
	holder, _ := testDaemon(t, h, "holder", mountDisk, keyed, withMounter)
	asker, _ := testDaemon(t, h, "asker", diskB, keyed)
	waitFor(t, "the asker knows the holder's disk", func() bool { return len(inventory(t, asker)) == 2 })

	ans := askMount(t, asker, &messages.MountAsk{Action: "mount", Disk: "backup1", Options: []string{"ro"}})
	point := filepath.Join(holder.deps.cfg.Mount.Policy.Base, "backup1")
	if ans.Result != "done" || ans.Node != "holder" || ans.Point != point || len(ans.ID) != 32 {
		t.Fatalf("mount: %+v, want done at %s", ans, point)
	}
	b, _ := os.ReadFile(args)
	if !strings.Contains(string(b), " -t ext4 -o nosuid,nodev,ro -- /dev/sdz1 "+point+"\n") {
		t.Fatalf("mount argv: %q", b)
	}
	waitFor(t, "the asker sees the mount", func() bool {
		for _, d := range inventory(t, asker) {
			if d.Label == "backup1" && len(d.Mounts) == 1 && d.Mounts[0].Path == point {
				return true
			}
		}
		return false
	})
	again := askMount(t, asker, &messages.MountAsk{Action: "mount", Disk: "backup1"})
	if again.Result != "done" || again.Point != point || !strings.Contains(again.Reason, "already mounted") {
		t.Errorf("second mount: %+v, want done, already mounted", again)
	}
	refused := askMount(t, asker, &messages.MountAsk{Action: "mount", Disk: "backup1", Options: []string{"exec"}})
	if refused.Result != "refused" || !strings.Contains(refused.Reason, `"exec"`) {
		t.Errorf("mount with exec: %+v, want refused", refused)
	}
	if nf := askMount(t, asker, &messages.MountAsk{Action: "mount", Disk: "nowhere"}); nf.Result != "not-found" {
		t.Errorf("mount of an unknown disk: %+v, want not-found", nf)
	}

	un := askMount(t, asker, &messages.MountAsk{Action: "unmount", Disk: "backup1"})
	if un.Result != "done" || un.Point != point {
		t.Fatalf("unmount: %+v", un)
	}
	if _, err := os.Stat(point); !os.IsNotExist(err) {
		t.Errorf("mount point left behind: %v", err)
	}
	st := holder.deps.mount.snapshot(true)
	if st.Requests != 4 || st.Ran != 2 || st.Refused["policy"] != 1 || st.Refused["not_found"] != 0 {
		t.Errorf("holder's counters %+v", st)
	}
	if ast := asker.deps.mount.snapshot(false); ast.Asked != 4 || ast.Pending != 0 || ast.Answers["done"] != 3 {
		t.Errorf("asker's counters %+v", ast)
	}
}

// A mount that hangs is killed at mount.timeout, answered failed, and its
// mount point removed; a daemon without keys refuses to ask at all.
func TestMount_TimeoutAndNoKeys(t *testing.T) {
	h := &transport.Hub{}
	withMounter, _ := fakeMounter(t, "sleep 30 & wait")
	holder, _ := testDaemon(t, h, "holder", mountDisk, keyed, withMounter)
	asker, _ := testDaemon(t, h, "asker", diskB, keyed)
	waitFor(t, "the asker knows the holder's disk", func() bool { return len(inventory(t, asker)) == 2 })
	ans := askMount(t, asker, &messages.MountAsk{Action: "mount", Disk: "backup1"})
	if ans.Result != "failed" || !strings.Contains(ans.Reason, "killed after") {
		t.Fatalf("hung mount: %+v, want failed, killed", ans)
	}
	if _, err := os.Stat(filepath.Join(holder.deps.cfg.Mount.Policy.Base, "backup1")); !os.IsNotExist(err) {
		t.Errorf("mount point of the failed mount left behind: %v", err)
	}

	h2 := &transport.Hub{}
	testDaemon(t, h2, "holder", mountDisk)
	bare, _ := testDaemon(t, h2, "bare", diskB)
	waitFor(t, "the bare daemon knows the disk", func() bool { return len(inventory(t, bare)) == 2 })
	if ans := askMount(t, bare, &messages.MountAsk{Action: "mount", Disk: "backup1"}); ans.Result != "refused" || !strings.Contains(ans.Reason, "no auth keys") {
		t.Errorf("mount from a daemon without keys: %+v, want refused", ans)
	}
}

func TestParseMountArgs(t *testing.T) {
	for _, tc := range []struct {
		action string
		args   []string
		opts   string
		err    string
	}{
		{"mount", []string{"backup1"}, "", ""},
		{"mount", []string{"backup1", "--options", "ro,noatime"}, "ro,noatime", ""},
		{"mount", []string{"backup1", "--options=ro"}, "ro", ""},
		{"mount", []string{"backup1", "--options", "ro,,exec"}, "", "--options"},
		{"mount", []string{"backup1", "--options"}, "", "mount takes"},
		{"mount", []string{"backup1", "extra"}, "", "mount takes"},
		{"mount", []string{"--options", "ro"}, "", "mount takes"},
		{"mount", nil, "", "mount takes"},
		{"unmount", []string{"backup1"}, "", ""},
		{"unmount", []string{"backup1", "--options", "ro"}, "", "unmount takes"},
	} {
		ask, err := parseMountArgs(tc.action, tc.args)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s %q: error %v, want %q", tc.action, tc.args, err, tc.err)
		case tc.err == "" && (err != nil || strings.Join(ask.Options, ",") != tc.opts || ask.Disk != tc.args[0]):
			t.Errorf("%s %q: %+v, %v; want options %q", tc.action, tc.args, ask, err, tc.opts)
		}
	}
}

// The holder's checks before the policy, each counted: unauthenticated,
// made before the daemon started, too far from its clock, a replayed id.
func TestMount_HolderChecks(t *testing.T) {
	h := &transport.Hub{}
	withMounter, _ := fakeMounter(t, "")
	holder, _ := testDaemon(t, h, "holder", mountDisk, keyed, withMounter)
	req := func(id string, at int64, authenticated bool) {
		holder.sys.Root.Send(holder.deps.pids.mountServer, &mountIn{src: "test", authenticated: authenticated,
			env: &wire.Envelope{Kind: wire.KindMount, Node: "asker", Instance: "00000000000000aa", Seq: 1, To: "holder",
				Mount: &wire.MountBody{ID: id, At: at, Action: "mount", Disk: "nowhere"}}})
	}
	now := time.Now().Unix()
	req(strings.Repeat("a1", 16), now, false)
	req(strings.Repeat("a2", 16), holder.deps.id.Started.Unix()-1, true)
	req(strings.Repeat("a3", 16), now+3600, true)
	req(strings.Repeat("a4", 16), now, true)
	req(strings.Repeat("a4", 16), now, true)
	want := map[string]uint64{"unauthenticated": 1, "stale": 2, "replay": 1, "not_found": 1}
	waitFor(t, "the holder counts every refusal", func() bool {
		st := holder.deps.mount.snapshot(true)
		for k, n := range want {
			if st.Refused[k] != n {
				return false
			}
		}
		return st.Requests == 5 && st.Replay == 1
	})
}
