package bed

import (
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Real loop devices, for tests and benchmarks of device hotplug (root only).

// LoopImageSize is the test filesystem's size: small, and a whole number of
// 512-byte sectors as sysfs counts them.
const LoopImageSize = 32 << 20

// LoopUnavailable says why real loop devices cannot be used here, or ""
// when they can: they need root, losetup, mkfs.ext4, blkid and sysfs.
func LoopUnavailable() string {
	if os.Geteuid() != 0 {
		return "needs root (losetup)"
	}
	for _, tool := range []string{"losetup", "mkfs.ext4", "blkid"} {
		if _, err := exec.LookPath(tool); err != nil {
			return "needs " + tool + " (util-linux, e2fsprogs)"
		}
	}
	if _, err := os.Stat("/sys/class/block"); err != nil {
		return "needs sysfs at /sys: " + err.Error()
	}
	return ""
}

// Ext4Image makes a file holding an empty ext4 filesystem with label and
// a fresh UUID, which it returns.
func Ext4Image(t testing.TB, label string) (path, uuid string) {
	t.Helper()
	b := make([]byte, 16)
	rand.Read(b)
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	uuid = fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	path = filepath.Join(t.TempDir(), label+".img")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, LoopImageSize); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mkfs.ext4", "-q", "-F", "-L", label, "-U", uuid, path).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.ext4: %v\n%s", err, out)
	}
	return path, uuid
}

// AttachLoop attaches image to a free loop device and returns it; the device
// is detached at the end of the test whatever happens (DetachLoop makes that
// a no-op).
func AttachLoop(t testing.TB, image string) string {
	t.Helper()
	out, err := exec.Command("losetup", "--find", "--show", image).CombinedOutput()
	if err != nil {
		t.Fatalf("losetup --find --show: %v\n%s", err, out)
	}
	dev := strings.TrimSpace(string(out))
	t.Cleanup(func() { DetachLoop(t, dev, image) })
	return dev
}

// DetachLoop detaches dev if it still holds image.
func DetachLoop(t testing.TB, dev, image string) {
	t.Helper()
	out, _ := exec.Command("losetup", "--noheadings", "--output", "BACK-FILE", dev).CombinedOutput()
	if strings.TrimSpace(string(out)) != image {
		return
	}
	if out, err := exec.Command("losetup", "-d", dev).CombinedOutput(); err != nil {
		t.Errorf("losetup -d %s: %v\n%s", dev, err, out)
	}
}
