package actors

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/actors/blkid"
	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
)

// diskProbe runs one DiskWatcher; its Info answers each ScanFinished.
type diskProbe = probe[*messages.ScanFinished]

func startDiskWatcher(t *testing.T, argv []string, timeout time.Duration) *diskProbe {
	t.Helper()
	cfg := config.Fast()
	cfg.Blkid.Command = argv
	cfg.Blkid.Interval = time.Hour // scans at start and on Rescan only
	cfg.Blkid.Timeout = timeout
	return startProbe(t, cfg, 10*time.Second, newDiskWatcherProps, func(c actor.Context, m *messages.ScanFinished) {
		c.Respond(&messages.ScanApplied{RunID: m.Run.RunID, Changed: len(m.Disks) > 0, Disks: len(m.Disks)})
	})
}

// rescan asks for a scan and waits for its answer.
func rescan(t *testing.T, p *diskProbe) *messages.RescanDone {
	t.Helper()
	r, err := p.sys.Root.RequestFuture(p.watcher, &messages.Rescan{}, 10*time.Second).Result()
	if err != nil {
		t.Fatalf("rescan: %v", err)
	}
	done, ok := r.(*messages.RescanDone)
	if !ok {
		t.Fatalf("rescan: got %T, want *messages.RescanDone", r)
	}
	return done
}

// script writes a fake blkid that runs body.
func script(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "blkid")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// blkidPrints writes a fake blkid that prints what file holds.
func blkidPrints(t *testing.T, file string, disks ...messages.Disk) []string {
	t.Helper()
	if err := os.WriteFile(file, blkid.Encode(disks, blkid.Export), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{script(t, `cat "`+file+`"`), "-o", "export"}
}

func TestDiskWatcher_ScansAtStartAndOnRescan(t *testing.T) {
	file := filepath.Join(t.TempDir(), "out")
	alpha := messages.Disk{Device: "/dev/sda1", UUID: "u-1", Label: `bäck "up"`, Type: "ext4"}
	p := startDiskWatcher(t, blkidPrints(t, file, alpha), 5*time.Second)
	m := p.next(t)
	if m.Run.Outcome != "ok" || m.Run.Error != "" || m.Run.Disks != 1 || !messages.DisksEqual(m.Disks, []messages.Disk{alpha}) {
		t.Fatalf("first scan: got %+v, %+v, want outcome ok and %+v", m.Run, m.Disks, alpha)
	}
	beta := messages.Disk{Device: "/dev/sdb1", UUID: "u-2", Type: "xfs"}
	blkidPrints(t, file, alpha, beta)
	done := rescan(t, p)
	if m := p.next(t); !messages.DisksEqual(m.Disks, []messages.Disk{alpha, beta}) || m.Run.RunID != done.Report.RunID {
		t.Fatalf("rescan: Info got %+v of run %d, want both disks of run %d", m.Disks, m.Run.RunID, done.Report.RunID)
	}
	if done.Report.Outcome != "ok" || done.Report.Disks != 2 || !done.Changed {
		t.Fatalf("rescan: got %+v, want outcome ok, 2 disks, changed", done)
	}
}

// A failed run is reported with its outcome and no disks, so that Info
// keeps the last good list.
func TestDiskWatcher_FailuresCarryNoDisks(t *testing.T) {
	for _, c := range []struct {
		name, body, outcome string
		args                []string
	}{
		{"missing program", "", "not_found", nil},
		{"non-zero exit", `echo "/dev/sda1: UUID=\"u\""; exit 1`, "exit", nil},
		{"garbage", `echo "garbage"`, "parse", nil},
		{"hangs", `exec sleep 30`, "timeout", nil},
		{"encoded output read as raw", `printf 'DEVNAME=/dev/sda1\nLABEL=a\\ b\nUUID=u\n'`, "ok", []string{"-o", "export", "-d"}},
		{"raw output read as encoded", `printf 'DEVNAME=/dev/sda1\nLABEL=a b\nUUID=u\n'`, "parse", []string{"-o", "export"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			argv := []string{filepath.Join(t.TempDir(), "missing")}
			if c.body != "" {
				argv = append([]string{script(t, c.body)}, c.args...)
			}
			p := startDiskWatcher(t, argv, 300*time.Millisecond)
			m := p.next(t)
			if m.Run.Outcome != c.outcome {
				t.Fatalf("got outcome %q (%s), want %q", m.Run.Outcome, m.Run.Error, c.outcome)
			}
			if c.outcome != "ok" && (m.Disks != nil || m.Run.Error == "") {
				t.Fatalf("got %+v with error %q, want no disks and an error", m.Disks, m.Run.Error)
			}
		})
	}
}

// A restarted DiskWatcher scans again at once.
func TestDiskWatcher_CrashRestartsAndScansAgain(t *testing.T) {
	file := filepath.Join(t.TempDir(), "out")
	p := startDiskWatcher(t, blkidPrints(t, file, messages.Disk{Device: "/dev/sda1", UUID: "u-1"}), 5*time.Second)
	first := p.next(t)
	p.sys.Root.Send(p.watcher, &messages.Crash{})
	if again := p.next(t); again.Run.Outcome != "ok" || again.Run.RunID == first.Run.RunID || len(again.Disks) != 1 {
		t.Fatalf("after a crash: got %+v, want a new run with the disk", again.Run)
	}
}
