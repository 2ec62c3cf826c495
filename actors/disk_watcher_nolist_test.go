package actors

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
)

// A failed run says whether there is an earlier list to keep: not before
// the first good run, and still after one once DiskWatcher restarted.
func TestDiskWatcher_FailureBeforeAnyGoodRunHasNoListToKeep(t *testing.T) {
	dir := t.TempDir()
	mode, out := filepath.Join(dir, "mode"), filepath.Join(dir, "out")
	setMode := func(m string) {
		t.Helper()
		if err := os.WriteFile(mode, []byte(m), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	setMode("fail")
	blkidPrints(t, out, messages.Disk{Device: "/dev/sda1", UUID: "u-1"})
	argv := []string{script(t, `[ "$(cat "`+mode+`")" = ok ] || exit 3; cat "`+out+`"`), "-o", "export"}
	p := startDiskWatcher(t, argv, 5*time.Second)
	if m := p.next(t); m.Run.Outcome != "exit" {
		t.Fatalf("first run: got outcome %q, want exit", m.Run.Outcome)
	}
	step := func(what string, wantOutcome string, wantNoList bool) {
		t.Helper()
		done := rescan(t, p)
		p.next(t)
		if done.Report.Outcome != wantOutcome || done.NoListYet != wantNoList {
			t.Fatalf("%s: got outcome %q, NoListYet %v; want %q, %v", what, done.Report.Outcome, done.NoListYet, wantOutcome, wantNoList)
		}
	}
	step("failing before any good run", "exit", true)
	setMode("ok")
	step("the first good run", "ok", false)
	setMode("fail")
	step("failing after a good run", "exit", false)
	p.sys.Root.Send(p.watcher, &messages.Crash{})
	if m := p.next(t); m.Run.Outcome != "exit" {
		t.Fatalf("after a crash: got outcome %q, want exit", m.Run.Outcome)
	}
	step("failing after a restart", "exit", false)
}
