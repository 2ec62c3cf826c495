package actors

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/diskd-actors/diskd-actors/actors/mountinfo"
	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
)

const mountInterval = 50 * time.Millisecond

// mountProbe runs one MountWatcher; its Info only listens.
type mountProbe = probe[*messages.MountsScanned]

func startMountWatcher(t *testing.T, file string, interval time.Duration) *mountProbe {
	t.Helper()
	cfg := config.Fast()
	cfg.Mounts.File = file
	cfg.Mounts.Interval = interval
	return startProbe[*messages.MountsScanned](t, cfg, 5*time.Second, newMountWatcherProps, nil)
}

// until waits for a report that satisfies ok, skipping others (the real
// mount table may change for reasons of its own).
func until(t *testing.T, p *mountProbe, what string, ok func(*messages.MountsScanned) bool) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case m := <-p.got:
			if ok(m) {
				return
			}
		case <-deadline:
			t.Fatalf("no report with %s within 5s", what)
		}
	}
}

// none checks that nothing is reported for a few intervals.
func none(t *testing.T, p *mountProbe) {
	t.Helper()
	select {
	case m := <-p.got:
		t.Fatalf("got %+v, want no report while nothing changes", m)
	case <-time.After(5 * mountInterval):
	}
}

// writeMounts replaces file atomically, so the watcher never reads half of it.
func writeMounts(t *testing.T, file, content string) {
	t.Helper()
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, file); err != nil {
		t.Fatal(err)
	}
}

// wantMounts parses content as the watcher should report it.
func wantMounts(t *testing.T, content string) []messages.MountEntry {
	t.Helper()
	entries, err := mountinfo.Parse([]byte(content))
	if err != nil {
		t.Fatal(err)
	}
	for i := range entries {
		entries[i].Resolved = mountinfo.ResolveSource(entries[i].Source)
	}
	return entries
}

func wantEntries(t *testing.T, m *messages.MountsScanned, want []messages.MountEntry) {
	t.Helper()
	if m.Err != "" || !slices.Equal(m.Entries, want) {
		t.Fatalf("got %+v, want entries %+v", m, want)
	}
}

func TestMountWatcher_ReportsChangesOnly(t *testing.T) {
	dir := t.TempDir()
	dev := filepath.Join(dir, "sdz1")
	if err := os.WriteFile(dev, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "by-uuid")
	if err := os.Symlink(dev, link); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "mountinfo")
	first := "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n" +
		"27 26 8:1 / /media/My\\040Disk ro,relatime shared:1 - ext4 " + link + " rw\n"
	writeMounts(t, file, first)
	p := startMountWatcher(t, file, mountInterval)

	m := p.next(t)
	want := wantMounts(t, first)
	wantEntries(t, m, want)
	realDev, err := filepath.EvalSymlinks(dev)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Entries[1]; got.Resolved != realDev || got.Path != "/media/My Disk" || !got.ReadOnly {
		t.Fatalf("got %+v, want Resolved %s, the space decoded and read-only", got, realDev)
	}
	none(t, p)

	second := first + "28 26 0:50 / /tmp rw - tmpfs tmpfs rw\n"
	writeMounts(t, file, second)
	wantEntries(t, p.next(t), wantMounts(t, second))
	none(t, p)

	// The symbolic link now names another device: a change too.
	other := filepath.Join(dir, "sdz2")
	if err := os.WriteFile(other, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(other, link); err != nil {
		t.Fatal(err)
	}
	wantEntries(t, p.next(t), wantMounts(t, second))
	none(t, p)
}

func TestMountWatcher_ErrorsOncePerDistinctError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "mountinfo")
	p := startMountWatcher(t, file, mountInterval)

	if m := p.next(t); m.Entries != nil || !strings.Contains(m.Err, "no such file") {
		t.Fatalf("got %+v, want only an error naming the missing file", m)
	}
	none(t, p)

	writeMounts(t, file, "garbage\n")
	if m := p.next(t); m.Entries != nil || !strings.Contains(m.Err, "line 1") {
		t.Fatalf("got %+v, want only a parse error naming line 1", m)
	}
	none(t, p)

	good := "26 1 254:0 / / rw - ext4 /dev/vda rw\n"
	writeMounts(t, file, good)
	wantEntries(t, p.next(t), wantMounts(t, good))
	none(t, p)

	// The same error again after a good read is reported again.
	writeMounts(t, file, "garbage\n")
	if m := p.next(t); !strings.Contains(m.Err, "line 1") {
		t.Fatalf("got %+v, want the parse error again", m)
	}
}

func TestMountWatcher_NotARegularFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
	p := startMountWatcher(t, fifo, mountInterval)
	if m := p.next(t); !strings.Contains(m.Err, "not a regular file") {
		t.Fatalf("got %+v, want an error saying it is not a regular file", m)
	}
	none(t, p)
}

func TestMountWatcher_CrashRestartsAndReportsAgain(t *testing.T) {
	file := filepath.Join(t.TempDir(), "mountinfo")
	content := "26 1 254:0 / / rw - ext4 /dev/vda rw\n"
	writeMounts(t, file, content)
	p := startMountWatcher(t, file, mountInterval)
	want := wantMounts(t, content)
	wantEntries(t, p.next(t), want)

	p.sys.Root.Send(p.watcher, &messages.Crash{})
	wantEntries(t, p.next(t), want)
	none(t, p)

	changed := content + "27 26 8:1 / /data rw - xfs /dev/sda1 rw\n"
	writeMounts(t, file, changed)
	wantEntries(t, p.next(t), wantMounts(t, changed))
}

// TestMountWatcher_ProcSelfMountinfo reads the real table. As root it also
// mounts a tmpfs and expects to hear of it through poll alone: the
// interval is an hour.
func TestMountWatcher_ProcSelfMountinfo(t *testing.T) {
	p := startMountWatcher(t, "/proc/self/mountinfo", time.Hour)
	m := p.next(t)
	if m.Err != "" || !slices.ContainsFunc(m.Entries, func(e messages.MountEntry) bool { return e.Path == "/" }) {
		t.Fatalf("got %+v, want the table with an entry for /", m)
	}

	tmp, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "mnt with space")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("diskd-test", dir, "tmpfs", 0, "size=64k"); err != nil {
		t.Skip("cannot mount a tmpfs (not root?):", err)
	}
	mounted := true
	t.Cleanup(func() {
		if mounted {
			unix.Unmount(dir, unix.MNT_DETACH)
		}
	})
	has := func(m *messages.MountsScanned) bool {
		return slices.ContainsFunc(m.Entries, func(e messages.MountEntry) bool {
			return e.Path == dir && e.Source == "diskd-test" && e.FSType == "tmpfs"
		})
	}
	until(t, p, "the new tmpfs on "+dir, has)
	if err := unix.Unmount(dir, 0); err != nil {
		t.Fatal(err)
	}
	mounted = false
	until(t, p, "the tmpfs gone", func(m *messages.MountsScanned) bool { return m.Err == "" && !has(m) })
}
