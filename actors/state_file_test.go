package actors

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
)

// stateTestSnapshot is a realistic snapshot with the strings YAML finds
// hard: quotes, colons, leading '#', non-ASCII, emoji, YAML 1.1 booleans,
// control characters.
func stateTestSnapshot() *messages.StateSnapshot {
	cet := time.FixedZone("CET", 3600)
	now := time.Now() // carries a monotonic reading, which must not matter
	photos := messages.Disk{UUID: "3e6f1c2a-8b1d-4c1e-9a57-0c2d9e4b7f10", Label: `My "Photos" 2024`,
		Device: "/dev/sdb1", Type: "ext4", Mounts: []messages.Mount{
			{Path: "/srv/My Photos", FSType: "ext4"}, {Path: "/mnt/ro: view", FSType: "ext4", ReadOnly: true}}}
	return &messages.StateSnapshot{
		Version: messages.StateVersion, Node: "laptop.home", SavedAt: now,
		Peers: []messages.SavedPeer{
			{Node: "nas-01", Instance: "9f86d081884c7d65", Address: "192.0.2.10:7946", Version: "0.3.1",
				FirstSeen: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC),
				LastSeen:  time.Date(2025, 3, 14, 10, 26, 50, 123456789, cet),
				Disks: []messages.Disk{photos,
					{Label: "Été 📷", Device: "/dev/sdc1", Type: "vfat"},
					{Label: "yes", Device: "/dev/sdd1"},
					{Label: "# not a comment", Type: "ntfs"},
					{Label: " lead and trail ", UUID: "~"},
					{Label: "tab\there\nnewline 'single' \\ back"},
				}},
			{Node: "old-desktop", Address: "[2001:db8::7]:7946", LastSeen: now.Add(-time.Hour)},
		},
		Sightings: []messages.Sighting{
			{Node: "nas-01", At: now, Disk: photos},
			{Node: "old-desktop", At: time.Date(2024, 12, 24, 18, 0, 0, 0, time.UTC),
				Disk: messages.Disk{UUID: "1234-ABCD", Label: "null", Type: "exfat"}},
		},
	}
}

// normState makes snapshots comparable with reflect.DeepEqual: times in
// UTC without monotonic reading, and empty lists nil (YAML writes nil as
// [] and omits empty mounts).
func normState(s *messages.StateSnapshot) *messages.StateSnapshot {
	normDisk := func(d messages.Disk) messages.Disk {
		if len(d.Mounts) == 0 {
			d.Mounts = nil
		}
		d.Mounts = append([]messages.Mount(nil), d.Mounts...)
		return d
	}
	c := *s
	c.SavedAt = c.SavedAt.UTC()
	c.Peers, c.Sightings = nil, nil
	for _, p := range s.Peers {
		p.FirstSeen, p.LastSeen = p.FirstSeen.UTC(), p.LastSeen.UTC()
		var disks []messages.Disk
		for _, d := range p.Disks {
			disks = append(disks, normDisk(d))
		}
		p.Disks = disks
		c.Peers = append(c.Peers, p)
	}
	for _, g := range s.Sightings {
		g.At, g.Disk = g.At.UTC(), normDisk(g.Disk)
		c.Sightings = append(c.Sightings, g)
	}
	return &c
}

func TestStateRoundTrip(t *testing.T) {
	want := stateTestSnapshot()
	b, err := EncodeState(want)
	if err != nil {
		t.Fatalf("EncodeState: got %v, want nil", err)
	}
	if first, _, _ := strings.Cut(string(b), "\n"); first+"\n" != stateHeader {
		t.Errorf("first line: got %q, want %q", first, strings.TrimSpace(stateHeader))
	}
	got, err := DecodeState(b)
	if err != nil {
		t.Fatalf("DecodeState: got %v, want nil\n%s", err, b)
	}
	if !reflect.DeepEqual(normState(got), normState(want)) {
		t.Fatalf("decoded: got %+v, want %+v", got, want)
	}

	// Through the file, into a directory that does not exist yet.
	dir := filepath.Join(t.TempDir(), "state")
	path := filepath.Join(dir, "state.yaml")
	if err := WriteStateFile(path, b); err != nil {
		t.Fatalf("WriteStateFile: got %v, want nil", err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("created directory: got %v (%v), want mode 0700", fi.Mode().Perm(), err)
	}
	loaded, warn := LoadStateFile(path, time.Now())
	if warn != nil || loaded == nil {
		t.Fatalf("LoadStateFile: got %v, %v, want a snapshot and no warning", loaded, warn)
	}
	if !reflect.DeepEqual(normState(loaded), normState(want)) {
		t.Fatalf("loaded: got %+v, want %+v", loaded, want)
	}
}

func TestEncodeStateStampsVersionAndValidates(t *testing.T) {
	s := stateTestSnapshot()
	s.Version = 0
	b, err := EncodeState(s)
	if err != nil {
		t.Fatalf("got %v, want nil", err)
	}
	if got, err := DecodeState(b); err != nil || got.Version != messages.StateVersion {
		t.Fatalf("got %v, %v, want version %d", got, err, messages.StateVersion)
	}
	if s.Version != 0 {
		t.Errorf("caller's snapshot: got version %d, want it untouched (0)", s.Version)
	}
}

// TestStateLimits checks validateState, which EncodeState and DecodeState
// share, on snapshots built directly rather than megabytes of YAML.
func TestStateLimits(t *testing.T) {
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	disk := messages.Disk{UUID: "abcd"}
	tests := []struct {
		name string
		mod  func(s *messages.StateSnapshot)
		want string
	}{
		{"peers at limit", func(s *messages.StateSnapshot) { s.Peers = uniquePeers(maxStatePeers, at) }, ""},
		{"too many peers", func(s *messages.StateSnapshot) { s.Peers = uniquePeers(maxStatePeers+1, at) }, "10001 peers, limit 10000"},
		{"too many disks", func(s *messages.StateSnapshot) {
			s.Peers = uniquePeers(1, at)
			s.Peers[0].Disks = make([]messages.Disk, maxStatePeerDisks+1)
			for i := range s.Peers[0].Disks {
				s.Peers[0].Disks[i] = disk
			}
		}, "peers[0].disks: 10001, limit 10000"},
		{"too many sightings", func(s *messages.StateSnapshot) {
			s.Sightings = make([]messages.Sighting, maxStateSightings+1)
			for i := range s.Sightings {
				s.Sightings[i] = messages.Sighting{Node: "b", At: at, Disk: disk}
			}
		}, "100001 sightings, limit 100000"},
		{"empty node", func(s *messages.StateSnapshot) { s.Node = "" }, `node: node name ""`},
		{"long address", func(s *messages.StateSnapshot) {
			s.Peers = uniquePeers(1, at)
			s.Peers[0].Address = strings.Repeat("a", 257)
		}, "peers[0].address: 257 bytes, limit 256"},
		{"year 10000", func(s *messages.StateSnapshot) { s.SavedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "saved_at: year 10000 out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &messages.StateSnapshot{Version: messages.StateVersion, Node: "a", SavedAt: at}
			tt.mod(s)
			err := validateState(s)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func uniquePeers(n int, at time.Time) []messages.SavedPeer {
	ps := make([]messages.SavedPeer, n)
	for i := range ps {
		ps[i] = messages.SavedPeer{Node: "peer-" + strconv.Itoa(i), LastSeen: at}
	}
	return ps
}

func TestDecodeStateBytes(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"nil", nil, "empty state file"},
		{"blank", []byte("\n\n   \n"), "empty state file"},
		{"oversize", make([]byte, maxStateFile+1), "limit 67108864"},
		{"merge key", []byte("<<:\n? -"), "malformed state file"},
		{"null document", []byte("---\n"), "unsupported state file version 0"},
		{"second document broken", []byte("version: 1\nnode: a\n---\n[\n"), "after the first document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeState(tt.in)
			if got != nil || err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, %v, want an error containing %q", got, err, tt.want)
			}
		})
	}
}

// stateFixtures returns testdata/state/*.yaml; every invalid_ one starts
// with "# want: SUBSTRING" naming the error it must produce.
func stateFixtures(t testing.TB) map[string][]byte {
	paths, err := filepath.Glob(filepath.Join("testdata", "state", "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("fixtures: got %d files (%v), want some", len(paths), err)
	}
	m := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m[filepath.Base(p)] = b
	}
	return m
}

func TestStateFixtures(t *testing.T) {
	for name, b := range stateFixtures(t) {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			got, err := DecodeState(b)
			// Hostile inputs (alias bombs) must stay cheap; the bound is
			// loose for -race and slow machines.
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("decode time: got %v, want under 2s", d)
			}
			switch {
			case strings.HasPrefix(name, "valid_"):
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				again, err := EncodeState(got)
				if err != nil {
					t.Fatalf("re-encode: got %v, want nil", err)
				}
				if got2, err := DecodeState(again); err != nil || !reflect.DeepEqual(normState(got2), normState(got)) {
					t.Fatalf("re-decode: got %+v, %v, want %+v", got2, err, got)
				}
			case strings.HasPrefix(name, "invalid_"):
				line, _, _ := bytes.Cut(b, []byte("\n"))
				want, ok := strings.CutPrefix(string(line), "# want: ")
				if !ok || want == "" {
					t.Fatalf("first line: got %q, want \"# want: SUBSTRING\"", line)
				}
				if got != nil || err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("got %v, %v, want an error containing %q", got, err, want)
				}
			default:
				t.Fatalf("name: got %q, want a valid_ or invalid_ prefix", name)
			}
		})
	}
}

func TestLoadStateFile(t *testing.T) {
	now := time.Date(2025, 3, 14, 9, 26, 53, 0, time.FixedZone("CET", 3600))
	const stamp = "20250314T082653Z"
	good, err := EncodeState(stateTestSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		setup     func(t *testing.T, path string)
		wantSnap  bool
		wantWarn  string // substring; "" means no warning
		wantAside string // file name the original is moved to, "" if none
	}{
		{"missing", func(t *testing.T, path string) {}, false, "", ""},
		{"valid", func(t *testing.T, path string) { stateWrite(t, path, good) }, true, "", ""},
		{"corrupt", func(t *testing.T, path string) { stateWrite(t, path, []byte("peers: [\n")) },
			false, "moved to", "state.yaml.corrupt-" + stamp},
		{"empty", func(t *testing.T, path string) { stateWrite(t, path, nil) },
			false, "empty state file", "state.yaml.corrupt-" + stamp},
		{"earlier corrupt file same second", func(t *testing.T, path string) {
			stateWrite(t, path+".corrupt-"+stamp, []byte("older"))
			stateWrite(t, path, []byte("version: 7\nnode: a\n"))
		}, false, "unsupported state file version 7", "state.yaml.corrupt-" + stamp + ".1"},
		{"directory", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
			stateWrite(t, filepath.Join(path, "inside"), []byte("x"))
		}, false, "is a directory", "state.yaml.corrupt-" + stamp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "state.yaml")
			tt.setup(t, path)
			before, _ := os.ReadFile(path)
			snap, warn := LoadStateFile(path, now)
			if (snap != nil) != tt.wantSnap {
				t.Errorf("snapshot: got %v, want present=%v", snap, tt.wantSnap)
			}
			if tt.wantWarn == "" && warn != nil || tt.wantWarn != "" && (warn == nil || !strings.Contains(warn.Error(), tt.wantWarn)) {
				t.Errorf("warning: got %v, want %q", warn, tt.wantWarn)
			}
			if tt.wantAside == "" {
				return
			}
			aside := filepath.Join(dir, tt.wantAside)
			if !strings.Contains(warn.Error(), aside) {
				t.Errorf("warning: got %v, want it to name %s", warn, aside)
			}
			if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("original after move: got %v, want not exist", err)
			}
			fi, err := os.Stat(aside)
			if err != nil {
				t.Fatalf("moved file: got %v, want it to exist", err)
			}
			if !fi.IsDir() {
				if after, _ := os.ReadFile(aside); !bytes.Equal(after, before) {
					t.Errorf("moved content: got %q, want %q", after, before)
				}
			}
		})
	}
}

// TestLoadStateFileCannotMove uses a file on a read-only filesystem, which
// works as root too: the file stays and the warning says so.
func TestLoadStateFileCannotMove(t *testing.T) {
	const path = "/proc/version"
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	if _, err := os.Stat(path); err != nil {
		t.Skipf("needs %s: %v", path, err)
	}
	snap, warn := LoadStateFile(path, time.Now())
	if snap != nil || warn == nil || !strings.Contains(warn.Error(), "could not move it aside") {
		t.Fatalf("got %v, %v, want a warning that the file was left in place", snap, warn)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("file after failed move: got %v, want it in place", err)
	}
}

func TestWriteStateFile(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir, path string)
		wantErr bool
		want    []byte // content at path afterwards, when a file
	}{
		{"new", func(t *testing.T, dir, path string) {}, false, []byte("new\n")},
		{"replaces", func(t *testing.T, dir, path string) {
			stateWrite(t, path, []byte("old\n"))
			if err := os.Chmod(path, 0o644); err != nil {
				t.Fatal(err)
			}
		}, false, []byte("new\n")},
		{"directory in the way", func(t *testing.T, dir, path string) {
			stateWrite(t, filepath.Join(path, "keep"), []byte("x"))
		}, true, nil},
		{"read-only directory", func(t *testing.T, dir, path string) {
			if os.Geteuid() == 0 {
				t.Skip("root ignores directory permissions")
			}
			stateWrite(t, path, []byte("old\n"))
			if err := os.Chmod(dir, 0o500); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(dir, 0o700) })
		}, true, []byte("old\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "state.yaml")
			tt.setup(t, dir, path)
			err := WriteStateFile(path, []byte("new\n"))
			if (err != nil) != tt.wantErr {
				t.Fatalf("error: got %v, want error=%v", err, tt.wantErr)
			}
			if tmps, _ := filepath.Glob(filepath.Join(dir, ".diskd-state-*")); len(tmps) != 0 {
				t.Errorf("temp files left: got %v, want none", tmps)
			}
			if tt.want == nil {
				return
			}
			if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, tt.want) {
				t.Errorf("content: got %q (%v), want %q", got, err, tt.want)
			}
			if fi, err := os.Stat(path); !tt.wantErr && (err != nil || fi.Mode().Perm() != 0o600) {
				t.Errorf("mode: got %v (%v), want 0600", fi.Mode().Perm(), err)
			}
		})
	}
}

func TestWriteStateFileParentIsFile(t *testing.T) {
	dir := t.TempDir()
	stateWrite(t, filepath.Join(dir, "file"), []byte("x"))
	err := WriteStateFile(filepath.Join(dir, "file", "state.yaml"), []byte("new\n"))
	if err == nil {
		t.Fatalf("got %v, want an error", err)
	}
}

func stateWrite(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// FuzzDecodeState: DecodeState never panics, and whatever it accepts
// encodes and decodes again to the same snapshot.
func FuzzDecodeState(f *testing.F) {
	for _, b := range stateFixtures(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := DecodeState(b)
		if errors.Is(err, errDecoderPanic) {
			t.Fatal(err)
		}
		if err != nil {
			return
		}
		out, err := EncodeState(s)
		if err != nil {
			t.Fatalf("encode of a decoded snapshot: got %v, want nil", err)
		}
		s2, err := DecodeState(out)
		if err != nil {
			t.Fatalf("decode of the re-encoded snapshot: got %v, want nil\n%s", err, out)
		}
		if !reflect.DeepEqual(normState(s2), normState(s)) {
			t.Fatalf("round trip: got %+v, want %+v", s2, s)
		}
	})
}
