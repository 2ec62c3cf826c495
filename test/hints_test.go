package test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// An empty list says why on stderr (blkid found nothing; no peer heard),
// and --json stays the bare data.
func TestClient_EmptyListHints(t *testing.T) {
	t.Parallel()
	d := newNetwork(t).start("empty", "")
	eventually(t, 5*time.Second, "blkid has run", func() bool {
		lines, status := d.query("status")
		return strings.HasPrefix(status, ".ok") && strings.Contains(strings.Join(lines, "\n"), "blkid")
	})
	out, errs, code := d.client("list")
	if code != 0 || !strings.Contains(errs, "hint: no disks known") || !strings.Contains(errs, "blkid found no disks") ||
		!strings.Contains(errs, "no other daemon has been heard") {
		t.Errorf("empty list: exit %d, stdout %q, stderr %q; want exit 0 and a hint naming blkid and the peers", code, out, errs)
	}
	out, errs, code = d.client("--json", "list")
	if code != 0 || strings.TrimSpace(out) != "[]" || errs != "" {
		t.Errorf("--json empty list: exit %d, stdout %q, stderr %q; want [] and nothing else", code, out, errs)
	}
}

// With blkid missing from the start, refresh says there is no list yet
// (not that the last good one is kept), and list's hint names blkid.
func TestClient_MissingBlkidHasNoListToKeep(t *testing.T) {
	t.Parallel()
	d := newNetwork(t).start("noblkid", "", withBlkidCommand(filepath.Join(t.TempDir(), "no-blkid")))
	_, errs, code := d.client("refresh")
	if code != 2 || !strings.Contains(errs, "not_found") || !strings.Contains(errs, "no local disk list yet") || strings.Contains(errs, "last good") {
		t.Errorf("refresh without blkid: exit %d, stderr %q; want exit 2, not_found and 'no local disk list yet'", code, errs)
	}
	if _, errs, _ := d.client("list"); !strings.Contains(errs, "cannot run blkid") {
		t.Errorf("list without blkid: stderr %q, want a hint that blkid cannot run", errs)
	}
}
