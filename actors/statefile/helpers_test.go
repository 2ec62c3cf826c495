package statefile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/diskd-actors/diskd-actors/messages"
)

// testSnapshot is a realistic snapshot with the strings encoders find
// hard: quotes, colons, leading '#', non-ASCII, emoji, control characters.
func testSnapshot() *messages.StateSnapshot {
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
					{Label: "tab\there\nnewline 'single' \\ back \x01\x1f \u2028"},
				}},
			{Node: "old-desktop", Address: "[2001:db8::7]:7946", LastSeen: now.Add(-time.Hour), Legacy: true, Instance: "legacy"},
		},
		Sightings: []messages.Sighting{
			{Node: "nas-01", At: now, Disk: photos},
			{Node: "old-desktop", At: time.Date(2024, 12, 24, 18, 0, 0, 0, time.UTC),
				Disk: messages.Disk{UUID: "1234-ABCD", Label: "null", Type: "exfat"}},
		},
	}
}

// bigSnapshot is peers × disks, with a sighting for every disk.
func bigSnapshot(peers, disks int) *messages.StateSnapshot {
	now := time.Date(2026, 12, 1, 12, 0, 0, 123456789, time.UTC)
	s := &messages.StateSnapshot{Version: messages.StateVersion, Node: "self", SavedAt: now}
	for i := range peers {
		p := messages.SavedPeer{Node: fmt.Sprintf("peer-%04d", i), Instance: "0123456789abcdef",
			Address: "192.0.2.1:7946", Version: "0.4.0", FirstSeen: now.Add(-time.Hour), LastSeen: now}
		for j := range disks {
			d := messages.Disk{UUID: fmt.Sprintf("3e6f1c2a-8b1d-4c1e-%04d-%012d", i, j), Label: fmt.Sprintf("disk %d", j),
				Device: fmt.Sprintf("/dev/sd%c%d", 'a'+j%26, j), Type: "ext4",
				Mounts: []messages.Mount{{Path: fmt.Sprintf("/srv/disk-%d", j), FSType: "ext4"}}}
			p.Disks = append(p.Disks, d)
			s.Sightings = append(s.Sightings, messages.Sighting{Node: p.Node, At: now, Disk: d})
		}
		s.Peers = append(s.Peers, p)
	}
	return s
}

// norm makes snapshots comparable with reflect.DeepEqual: times in UTC
// without monotonic reading, empty lists nil.
func norm(s *messages.StateSnapshot) *messages.StateSnapshot {
	normDisk := func(d messages.Disk) messages.Disk {
		if len(d.Mounts) == 0 {
			d.Mounts = nil
		}
		d.Mounts = append([]messages.Mount(nil), d.Mounts...)
		return d
	}
	c := *s
	c.SavedAt = c.SavedAt.UTC().Round(0)
	c.Peers, c.Sightings = nil, nil
	for _, p := range s.Peers {
		p.FirstSeen, p.LastSeen = p.FirstSeen.UTC().Round(0), p.LastSeen.UTC().Round(0)
		var disks []messages.Disk
		for _, d := range p.Disks {
			disks = append(disks, normDisk(d))
		}
		p.Disks = disks
		c.Peers = append(c.Peers, p)
	}
	for _, g := range s.Sightings {
		g.At, g.Disk = g.At.UTC().Round(0), normDisk(g.Disk)
		c.Sightings = append(c.Sightings, g)
	}
	return &c
}

func encode(t testing.TB, s *messages.StateSnapshot) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Encode(&b, s); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return b.Bytes()
}

// encodeYAML writes s in the format before JSON, as the daemon did.
func encodeYAML(t testing.TB, s *messages.StateSnapshot) []byte {
	t.Helper()
	c := *s
	c.Version = legacyVersion
	var b bytes.Buffer
	b.WriteString("# diskd-actors state file; written by the daemon, safe to delete\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&c); err != nil {
		t.Fatal(err)
	}
	enc.Close()
	return b.Bytes()
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// yamlFixtures returns testdata/yaml/*.yaml; every invalid_ one starts
// with "# want: SUBSTRING" naming the error it must produce.
func yamlFixtures(t testing.TB) map[string][]byte {
	paths, err := filepath.Glob(filepath.Join("testdata", "yaml", "*.yaml"))
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
