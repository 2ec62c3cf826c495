package lock

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestAcquire_SecondIsRefusedNamingPathAndPID(t *testing.T) {
	target := filepath.Join(t.TempDir(), "state.json")
	l, err := Acquire(target)
	if err != nil {
		t.Fatalf("first Acquire: %v", err)
	}
	defer l.Release()
	if got, want := l.Path(), target+".lock"; got != want {
		t.Errorf("Path() = %q, want %q", got, want)
	}
	b, err := os.ReadFile(l.Path())
	if err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(os.Getpid()) {
		t.Errorf("lock file holds %q (err %v), want our PID %d", b, err, os.Getpid())
	}

	_, err = Acquire(target)
	var held *HeldError
	if !errors.As(err, &held) || !errors.Is(err, ErrHeld) {
		t.Fatalf("second Acquire: got %v, want a *HeldError", err)
	}
	if held.PID != os.Getpid() || held.Path != target+".lock" {
		t.Errorf("HeldError = %+v, want path %s and PID %d", held, target+".lock", os.Getpid())
	}
	for _, want := range []string{target + ".lock", strconv.Itoa(os.Getpid())} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
}

func TestRelease_LetsTheNextOneIn(t *testing.T) {
	target := filepath.Join(t.TempDir(), "sock")
	l, err := Acquire(target)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Fatalf("second Release: %v, want nil", err)
	}
	l2, err := Acquire(target)
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	l2.Release()
}

func TestAcquire_RefusesSymlinkAndNonRegular(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("root:hash:SECRET\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "a")
	if err := os.Symlink(secret, link+Suffix); err != nil {
		t.Fatal(err)
	}
	if _, err := Acquire(link); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("Acquire through a symlink: got %v, want a refusal", err)
	}
	if b, _ := os.ReadFile(secret); string(b) != "root:hash:SECRET\n" {
		t.Errorf("the link's target was changed to %q", b)
	}
	sub := filepath.Join(dir, "b")
	if err := os.Mkdir(sub+Suffix, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := Acquire(sub); err == nil {
		t.Error("Acquire on a directory: got nil error")
	}
}

func TestHeldError_UnknownPID(t *testing.T) {
	e := &HeldError{Path: "/x.lock"}
	if !strings.Contains(e.Error(), "PID unknown") {
		t.Errorf("got %q", e)
	}
}
