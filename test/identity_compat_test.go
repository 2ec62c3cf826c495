package test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/actors/identity/identitytest"
	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/test/bed"
)

// previousRelease is the last commit before identity travelled on the wire.
const previousRelease = "7554c30b2458ad70aefcfe5fdf75a336df69dbc4"

// buildPrevious builds the previous release's binary from the repository's
// history, or skips (with the reason) where the history is not there.
func buildPrevious(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("SKIP: needs git to build the previous release")
	}
	if out, err := exec.Command("git", "-C", "..", "cat-file", "-e", previousRelease+"^{commit}").CombinedOutput(); err != nil {
		t.Skipf("SKIP: commit %s is not in this clone (shallow?): %v %s", previousRelease[:7], err, out)
	}
	src, bin := t.TempDir(), filepath.Join(t.TempDir(), "diskd-actors-prev")
	archive := exec.Command("sh", "-c", fmt.Sprintf("git -C .. archive %s | tar -x -C %s", previousRelease, src))
	if out, err := archive.CombinedOutput(); err != nil {
		t.Fatalf("git archive: %v\n%s", err, out)
	}
	build := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/diskd-actors")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the previous release: %v\n%s", err, out)
	}
	return bin
}

// The previous release and this one on one group on lo: the previous one
// lists this one's disks (it ignores their identity fields) and drops
// nothing; this one lists the previous one's disks without identity.
func TestIdentity_PreviousReleaseIgnoresIdentity(t *testing.T) {
	t.Parallel()
	prevBin := buildPrevious(t)
	root := t.TempDir()
	if err := identitytest.Write(filepath.Join("..", "actors", "identity", "testdata", "usb.tree"), root); err != nil {
		t.Fatal(err)
	}
	stick := bed.Disk{Device: "/dev/sdb1", UUID: bed.UUID(0, 7), Label: "stick", Type: "vfat"}
	b := bed.New(t, bed.Options{Hosts: 1, Announce: 250 * time.Millisecond,
		Disks: func(int) []bed.Disk { return []bed.Disk{stick} },
		Configure: func(_ int, c *config.Config) {
			c.Identity.Sysfs, c.Identity.UdevData = filepath.Join(root, "sys"), filepath.Join(root, "udev")
		}})
	cur := b.Hosts[0]

	dir := t.TempDir()
	blkid, sock := filepath.Join(dir, "blkid.txt"), filepath.Join(dir, "sock")
	oldUUID := bed.UUID(9, 1)
	if err := os.WriteFile(blkid, []byte("DEVNAME=/dev/sdc1\nLABEL=old\nUUID="+oldUUID+"\nTYPE=ext4\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The previous release knows no identity or hotplug keys: its own file.
	cfg := fmt.Sprintf("node: prev\nsocket: %s\nmulticast: {group: %s, port: %d, interface: lo, ttl: 1}\n"+
		"announce: {interval: 250ms}\npeer: {timeout: 1s}\nblkid: {command: [cat, %s], interval: 1h}\nstate_file: \"\"\n",
		sock, b.Group, b.Port, blkid)
	cfgFile := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(dir, "prev.log"))
	if err != nil {
		t.Fatal(err)
	}
	prev := exec.Command(prevBin, "daemon", "--config", cfgFile)
	prev.Stdout, prev.Stderr = logFile, logFile
	if err := prev.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		prev.Process.Kill()
		prev.Wait()
		logFile.Close()
		if t.Failed() {
			out, _ := os.ReadFile(logFile.Name())
			t.Logf("the previous release's log:\n%s", out)
		}
	})

	query := func(socket string, v any) bool {
		c, err := bed.Dial(socket, 0)
		if err != nil {
			return false // not listening yet
		}
		defer c.Close()
		if err := c.DoJSON("list", v); err != nil {
			t.Fatal(err)
		}
		return true
	}
	var prevList, curList []messages.NodeDisk
	lastSeenPoll(t, 20*time.Second, "each lists the other's disk", func() bool {
		prevList, curList = nil, nil
		return query(sock, &prevList) && query(cur.Socket, &curList) && len(prevList) == 2 && len(curList) == 2
	})
	for _, d := range prevList {
		if d.Node == cur.Name && d.UUID != stick.UUID {
			t.Errorf("the previous release lists %+v, want %s", d, stick.UUID)
		}
	}
	for _, d := range curList {
		switch d.Node {
		case "prev":
			if d.UUID != oldUUID || d.Known() {
				t.Errorf("this release lists the previous one's disk as %+v, want %s without identity", d, oldUUID)
			}
		case cur.Name:
			if d.Transport != "usb" {
				t.Errorf("own disk without identity: %+v", d)
			}
		}
	}
	c, err := bed.Dial(sock, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var st struct {
		Drops map[string]uint64 `json:"drops"`
	}
	if err := c.DoJSON("status", &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Drops) > 0 {
		t.Errorf("the previous release dropped %v", st.Drops)
	}
}
