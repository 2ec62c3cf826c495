package test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/test/bed"
)

// Three daemons on lo find each other's disks, with labels that need care
// (spaces, quotes, non-ASCII) arriving exactly; a refresh on one reaches the
// others.
func TestDiscovery_ThreeDaemonsFindEachOther(t *testing.T) {
	t.Parallel()
	net := newNetwork(t)
	labels := map[string]string{"n1": `bäck "up" 1`, "n2": "photos 2019 ✓", "n3": `C:\ drive $HOME`}
	var ds []*daemon
	for i, name := range []string{"n1", "n2", "n3"} {
		disks := exportDisk("/dev/sda1", uuidFor(i, 1), labels[name], "ext4") +
			exportDisk("/dev/sdb1", uuidFor(i, 2), "", "xfs")
		ds = append(ds, net.start(name, disks))
	}
	for _, d := range ds {
		bed.WaitFor(t, 10*time.Second, d.name+" lists all 6 disks", func() (bool, error) {
			l := d.list()
			return len(l) == 6, fmt.Errorf("%s lists %+v", d.name, l)
		})
	}
	for _, d := range ds {
		for i, name := range []string{"n1", "n2", "n3"} {
			found := false
			for _, x := range d.list() {
				if x.Node == name && x.UUID == uuidFor(i, 1) {
					found = true
					if x.Label != labels[name] || x.Device != "/dev/sda1" || x.Type != "ext4" {
						t.Errorf("%s sees %s's disk as %+v, want label %q device /dev/sda1 type ext4", d.name, name, x, labels[name])
					}
					if x.Local != (name == d.name) {
						t.Errorf("%s: local flag of %s's disk is %v", d.name, name, x.Local)
					}
				}
			}
			if !found {
				t.Errorf("%s does not list %s's disk %s", d.name, name, uuidFor(i, 1))
			}
		}
	}

	// where, by label with spaces, by uuid and by device.
	out, errs, code := ds[2].client("where", labels["n1"])
	if code != 0 || !strings.Contains(out, "n1") {
		t.Errorf("where %q on n3: exit %d, stdout %q, stderr %q; want exit 0 naming n1", labels["n1"], code, out, errs)
	}
	if _, _, code := ds[2].client("where", strings.ToUpper(uuidFor(1, 2))); code != 0 {
		t.Errorf("where UUID (upper case) on n3: exit %d, want 0", code)
	}
	out, _, code = ds[0].client("where", "/dev/sdb1")
	if code != 0 || !strings.Contains(out, "n1") || !strings.Contains(out, "n2") || !strings.Contains(out, "n3") {
		t.Errorf("where /dev/sdb1: exit %d, %q; want all three nodes", code, out)
	}
	out, errs, code = ds[0].client("where", "no-such-disk")
	if code != 1 || !strings.Contains(errs, "no disk matches") {
		t.Errorf("where no-such-disk: exit %d, stdout %q, stderr %q; want exit 1 and a message", code, out, errs)
	}

	// A disk added on n2 and a refresh: n1 and n3 list it well under a second.
	added := exportDisk("/dev/sdc1", uuidFor(1, 3), "new disk", "vfat")
	old, _ := os.ReadFile(ds[1].blkid)
	if err := os.WriteFile(ds[1].blkid, append(old, added...), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errs, code = ds[1].client("refresh")
	if code != 0 || !strings.Contains(out, "changed") {
		t.Fatalf("refresh on n2: exit %d, %q %q", code, out, errs)
	}
	for _, d := range []*daemon{ds[0], ds[2]} {
		eventually(t, 3*time.Second, d.name+" lists n2's new disk", func() bool { return countNode(d.list(), "n2") == 3 })
	}

	// A removed disk disappears everywhere.
	if err := os.WriteFile(ds[1].blkid, old[:strings.Index(string(old), "DEVNAME=/dev/sdb1")], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := ds[1].client("refresh"); code != 0 {
		t.Fatalf("refresh on n2: exit %d, %s", code, errs)
	}
	eventually(t, 3*time.Second, "n1 sees n2 with one disk", func() bool { return countNode(ds[0].list(), "n2") == 1 })

	// peers lists the other two.
	out, _, code = ds[0].client("peers")
	if code != 0 || !strings.Contains(out, "n2") || !strings.Contains(out, "n3") {
		t.Errorf("peers on n1: exit %d, %q", code, out)
	}
}

func uuidFor(node, n int) string {
	return strings.Replace("0000000N-aaaa-4bbb-8ccc-00000000000M", "N", string(rune('1'+node)), 1)[:35] + string(rune('0'+n))
}
