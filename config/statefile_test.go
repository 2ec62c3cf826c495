package config

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestEffectiveStateFile_DiffersPerSocket(t *testing.T) {
	home := defaultHome()
	def := Default()
	if got := def.EffectiveStateFile(); got != filepath.Join(home, ".diskd-state.yaml") {
		t.Errorf("default socket: got %q, want the default state file", got)
	}
	a, b := Default(), Default()
	a.Socket, b.Socket = "/run/a/diskd.sock", "/run/b/diskd.sock"
	fa, fb := a.EffectiveStateFile(), b.EffectiveStateFile()
	if fa == fb || fa == def.StateFile || filepath.Dir(fa) != home {
		t.Errorf("sockets a, b: got %q and %q, want two files in %s, not the default", fa, fb, home)
	}
	if !strings.Contains(filepath.Base(fa), "diskd.sock") || !strings.HasSuffix(fa, ".json") {
		t.Errorf("got %q, want the socket's name in it and .json", fa)
	}
	if again := a.EffectiveStateFile(); again != fa {
		t.Errorf("not stable: %q then %q", fa, again)
	}
	a.StateFile = "/var/lib/x/state.json"
	if got := a.EffectiveStateFile(); got != a.StateFile {
		t.Errorf("explicit: got %q, want %q", got, a.StateFile)
	}
	a.StateFile = ""
	if got := a.EffectiveStateFile(); got != "" {
		t.Errorf("disabled: got %q, want empty", got)
	}
}

func TestStateFileForSocket_SafeName(t *testing.T) {
	got := StateFileForSocket("/h", "/tmp/my sock:"+strings.Repeat("x", 60))
	base := filepath.Base(got)
	if filepath.Dir(got) != "/h" || strings.ContainsAny(base, " :/") || len(base) > 64 {
		t.Errorf("got %q, want a short safe name in /h", got)
	}
}
