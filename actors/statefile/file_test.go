package statefile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

const secretContent = "root:$6$SECRETHASH:19000:0:99999:7:::\n"

// TestOpen_RefusesNonRegular: a symlink (to a secret), a FIFO, a directory
// and a device are refused at once, naming the path and never the target.
func TestOpen_RefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "shadow")
	writeFile(t, secret, []byte(secretContent))
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(secret, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "dir.json")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, path, want string }{
		{"symlink", link, "symbolic link"},
		{"fifo", fifo, "a FIFO"},
		{"directory", sub, "a directory"},
		{"device", "/dev/null", "a device"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { _, _, err := Load(tt.path, time.Now()); done <- err }()
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second): // a hang, not a timing bound
				t.Fatal("Load did not return: it blocks")
			}
			if !errors.Is(err, ErrUnsafe) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) {
				t.Fatalf("got %v, want ErrUnsafe naming %s and %q", err, tt.path, tt.want)
			}
			if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), secret) {
				t.Errorf("error tells of the target: %v", err)
			}
			if _, err := Save(tt.path, testSnapshot()); !errors.Is(err, ErrUnsafe) {
				t.Errorf("Save over it: got %v, want ErrUnsafe", err)
			}
		})
	}
	if b, _ := os.ReadFile(secret); string(b) != secretContent {
		t.Errorf("the secret changed to %q", b)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced: %v, %v", fi, err)
	}
}

func TestLoad_MissingCorruptAndLegacy(t *testing.T) {
	now := time.Date(2025, 3, 14, 9, 26, 53, 0, time.FixedZone("CET", 3600))
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	if s, legacy, err := Load(path, now); s != nil || legacy || err != nil {
		t.Fatalf("missing: got %v, %v, %v, want nothing", s, legacy, err)
	}
	writeFile(t, path, []byte(secretContent))
	s, _, err := Load(path, now)
	aside := path + ".corrupt-20250314T082653Z"
	if s != nil || err == nil || !strings.Contains(err.Error(), aside) || strings.Contains(err.Error(), "SECRET") {
		t.Fatalf("corrupt: got %v, %v, want an error naming %s without the content", s, err, aside)
	}
	if b, err := os.ReadFile(aside); err != nil || string(b) != secretContent {
		t.Errorf("moved aside: got %q, %v", b, err)
	}
	writeFile(t, path, []byte("{"))
	if _, _, err := Load(path, now); err == nil || !strings.Contains(err.Error(), aside+".1") {
		t.Errorf("second corrupt in the same second: got %v, want it moved to %s.1", err, aside)
	}
	in := testSnapshot()
	writeFile(t, path, encodeYAML(t, in))
	s, legacy, err := Load(path, now)
	if err != nil || !legacy || len(s.Peers) != len(in.Peers) {
		t.Fatalf("YAML: got %v, legacy=%v, %v", s, legacy, err)
	}
	if _, err := Save(path, s); err != nil {
		t.Fatal(err)
	}
	s2, legacy, err := Load(path, now)
	if err != nil || legacy || !reflect.DeepEqual(norm(s2), norm(s)) {
		t.Fatalf("after the migrating save: got legacy=%v, %v", legacy, err)
	}
}

func TestSave_AtomicPrivateAndReplaces(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "dir")
	path := filepath.Join(dir, "state.json")
	for i := range 2 {
		n, err := Save(path, testSnapshot())
		if err != nil {
			t.Fatalf("save %d: %v", i, err)
		}
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != n {
			t.Fatalf("save %d: got %v (%v), n=%d, want mode 0600 and size n", i, fi, err, n)
		}
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("directory mode: got %v, want 0700", fi.Mode().Perm())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Errorf("temp files left: %v", left)
	}
}

func TestSave_RefusesWhatTheLoaderWouldNot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if _, err := Save(path, testSnapshot()); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(path)
	saveLimit = 4096
	t.Cleanup(func() { saveLimit = MaxSize })
	_, err := Save(path, bigSnapshot(10, 10))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, old) {
		t.Error("the old file was changed")
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".state.json.tmp-*")); len(left) != 0 {
		t.Errorf("temp files left: %v", left)
	}
}

func TestRemoveTemps(t *testing.T) {
	now := time.Now()
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	mine := []string{".state.json.tmp-123", ".state.json.tmp-abc"}
	keep := []string{".other.json.tmp-1", "state.json", ".diskd-state-sock-1a2b.json", ".diskd-state-42"}
	oldTemp := ".diskd-state-4242"
	for _, n := range append(append(mine, keep...), oldTemp) {
		writeFile(t, filepath.Join(dir, n), []byte("x"))
	}
	if err := os.Mkdir(filepath.Join(dir, ".state.json.tmp-dir"), 0o700); err != nil {
		t.Fatal(err)
	}
	hourAgo := now.Add(-2 * time.Hour)
	os.Chtimes(filepath.Join(dir, oldTemp), hourAgo, hourAgo)
	n, err := RemoveTemps(path, now)
	if err != nil || n != 3 {
		t.Fatalf("got %d, %v, want 3 removed", n, err)
	}
	for _, k := range append(keep, ".state.json.tmp-dir") {
		if _, err := os.Lstat(filepath.Join(dir, k)); err != nil {
			t.Errorf("%s was removed", k)
		}
	}
	if n, err := RemoveTemps(filepath.Join(dir, "absent", "x"), now); n != 0 || err != nil {
		t.Errorf("missing directory: got %d, %v", n, err)
	}
}

// TestLoad_CannotMoveAside uses a file on a read-only filesystem, which
// works as root too: the file stays and the error says so.
func TestLoad_CannotMoveAside(t *testing.T) {
	const path = "/proc/version"
	if _, err := os.Stat(path); err != nil {
		t.Skipf("needs %s: %v", path, err)
	}
	snap, _, err := Load(path, time.Now())
	if snap != nil || err == nil || !strings.Contains(err.Error(), "could not move it aside") {
		t.Fatalf("got %v, %v, want an error that the file was left in place", snap, err)
	}
	if strings.Contains(err.Error(), "Linux") {
		t.Errorf("error quotes the file: %v", err)
	}
}
