package bed

import (
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/actors/blkid"
	"github.com/diskd-actors/diskd-actors/actors/mountinfo"
)

// Disks gives each host distinct devices, UUIDs and labels, so that disks
// of different hosts never collide in a peer's table.
func TestDisks_uniqueAcrossHosts(t *testing.T) {
	seen := map[string]string{}
	for host := range 4 {
		ds := Disks(host, 3)
		if len(ds) != 3 {
			t.Fatalf("Disks(%d, 3): got %d disks, want 3", host, len(ds))
		}
		for i, d := range ds {
			if d.Type != "ext4" || d.MountPoint != "" {
				t.Errorf("Disks(%d, 3)[%d]: got type %q mount %q, want ext4 and no mount", host, i, d.Type, d.MountPoint)
			}
			if d.UUID != UUID(host, i) {
				t.Errorf("Disks(%d, 3)[%d].UUID: got %q, want UUID(%d, %d) = %q", host, i, d.UUID, host, i, UUID(host, i))
			}
			for what, v := range map[string]string{"device": d.Device, "uuid": d.UUID, "label": d.Label} {
				if prev, dup := seen[what+" "+v]; dup {
					t.Errorf("%s %q of host %d disk %d: already used by %s", what, v, host, i, prev)
				}
				seen[what+" "+v] = d.Device
			}
		}
	}
	if got := Disks(0, 0); len(got) != 0 {
		t.Errorf("Disks(0, 0): got %v, want none", got)
	}
}

// UUID is shaped like a real one (8-4-4-4-12 lower-case hex), so the
// daemon and blkid treat it as one.
func TestUUID_shape(t *testing.T) {
	cases := []struct {
		host, n int
		want    string
	}{
		{0, 0, "00000000-bed0-4000-8000-000000000000"},
		{1, 2, "00000001-bed0-4000-8000-000000000002"},
		{255, 4095, "000000ff-bed0-4000-8000-000000000fff"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			got := UUID(c.host, c.n)
			if got != c.want {
				t.Errorf("UUID(%d, %d): got %q, want %q", c.host, c.n, got, c.want)
			}
			parts := strings.Split(got, "-")
			lens := []int{8, 4, 4, 4, 12}
			if len(parts) != len(lens) {
				t.Fatalf("UUID(%d, %d) = %q: got %d groups, want 5", c.host, c.n, got, len(parts))
			}
			for i, p := range parts {
				if len(p) != lens[i] || strings.Trim(p, "0123456789abcdef") != "" {
					t.Errorf("UUID(%d, %d) group %d: got %q, want %d hex digits", c.host, c.n, i, p, lens[i])
				}
			}
		})
	}
}

// ExportFormat is what the fake blkid prints: the daemon's parser must
// read back exactly the disks written, odd labels included.
func TestExportFormat_roundTrip(t *testing.T) {
	cases := []struct {
		name  string
		disks []Disk
	}{
		{"none", nil},
		{"defaults", Disks(3, 2)},
		{"hostile label", []Disk{{Device: "/dev/x1", UUID: UUID(9, 1), Label: `a "q" $HOME 'x' <y> \z`, Type: "xfs"}}},
		{"accents and spaces", []Disk{{Device: "/dev/x2", UUID: UUID(9, 2), Label: "données  ü", Type: "vfat"}}},
		{"no label", []Disk{{Device: "/dev/x3", UUID: UUID(9, 3), Type: "btrfs"}}},
		{"no uuid", []Disk{{Device: "/dev/x4", Label: "only-label", Type: "ext4"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := ExportFormat(c.disks)
			got, err := blkid.Parse([]byte(out), false)
			if err != nil {
				t.Fatalf("Parse(ExportFormat): %v\n%s", err, out)
			}
			if len(got) != len(c.disks) {
				t.Fatalf("Parse(ExportFormat): got %d disks, want %d\n%s", len(got), len(c.disks), out)
			}
			for i, d := range c.disks {
				g := got[i]
				if g.Device != d.Device || g.UUID != d.UUID || g.Label != d.Label || g.Type != d.Type {
					t.Errorf("disk %d: got %+v, want device %q uuid %q label %q type %q", i, g, d.Device, d.UUID, d.Label, d.Type)
				}
			}
		})
	}
	if out := ExportFormat([]Disk{{Device: "/dev/x", UUID: "u", MountPoint: "/mnt/x"}}); strings.Contains(out, "/mnt/x") {
		t.Errorf("ExportFormat: got %q, want no mount point (blkid does not print one)", out)
	}
}

// mountTable is read by the daemon's mountinfo parser: the root entry
// comes first, then one entry per mounted disk, with its path unescaped
// back to what the test gave.
func TestMountTable_parses(t *testing.T) {
	disks := []Disk{
		{Device: "/dev/a", Type: "ext4", MountPoint: "/mnt/a"},
		{Device: "/dev/b", Type: "xfs"}, // not mounted
		{Device: "/dev/c", Type: "vfat", MountPoint: "/mnt/with space\tand\\slash"},
		{Device: "/dev/d", Type: "btrfs", MountPoint: "/mnt/new\nline"},
	}
	es, err := mountinfo.Parse([]byte(mountTable(disks)))
	if err != nil {
		t.Fatalf("mountinfo.Parse: %v\n%s", err, mountTable(disks))
	}
	want := []struct{ src, path, typ string }{
		{"/dev/bed-root", "/", "ext4"},
		{"/dev/a", "/mnt/a", "ext4"},
		{"/dev/c", "/mnt/with space\tand\\slash", "vfat"},
		{"/dev/d", "/mnt/new\nline", "btrfs"},
	}
	if len(es) != len(want) {
		t.Fatalf("entries: got %d (%+v), want %d", len(es), es, len(want))
	}
	for i, w := range want {
		if es[i].Source != w.src || es[i].Path != w.path || es[i].FSType != w.typ || es[i].ReadOnly {
			t.Errorf("entry %d: got %+v, want source %q path %q type %q read-write", i, es[i], w.src, w.path, w.typ)
		}
	}
	if got := mountTable(nil); strings.Count(got, "\n") != 1 {
		t.Errorf("mountTable(nil): got %q, want the root line alone", got)
	}
}

func TestMountEscape(t *testing.T) {
	cases := []struct{ in, want string }{
		{"/mnt/plain", "/mnt/plain"},
		{"/mnt/a b", `/mnt/a\040b`},
		{"/mnt/a\tb", `/mnt/a\011b`},
		{"/mnt/a\nb", `/mnt/a\012b`},
		{`/mnt/a\b`, `/mnt/a\134b`},
		{`/mnt/\040`, `/mnt/\134040`}, // a literal backslash sequence stays literal
		{"/mnt/ü", "/mnt/ü"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			if got := mountEscape(c.in); got != c.want {
				t.Errorf("mountEscape(%q): got %q, want %q", c.in, got, c.want)
			}
		})
	}
}

// Zero options take the documented defaults; values given are kept.
func TestOptions_defaults(t *testing.T) {
	t.Run("zero", func(t *testing.T) {
		var o Options
		o.defaults()
		checks := []struct {
			name      string
			got, want any
		}{
			{"Hosts", o.Hosts, 3},
			{"Mode", o.Mode, Lo},
			{"Announce", o.Announce, 500 * time.Millisecond},
			{"PeerTimeout", o.PeerTimeout, 2 * time.Second},
			{"BlkidInterval", o.BlkidInterval, time.Hour},
			{"MountsInterval", o.MountsInterval, time.Second},
			{"LogLevel", o.LogLevel, "warn"},
			{"StartTimeout", o.StartTimeout, 30 * time.Second},
			{"StateFile", o.StateFile, false},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
			}
		}
		if o.Disks == nil {
			t.Fatal("Disks: got nil, want Disks(i, 2)")
		}
		if got := o.Disks(5); len(got) != 2 || got[1].UUID != UUID(5, 1) {
			t.Errorf("Disks(5): got %+v, want Disks(5, 2)", got)
		}
	})
	t.Run("peer timeout", func(t *testing.T) {
		cases := []struct {
			announce, want time.Duration
		}{
			{100 * time.Millisecond, time.Second}, // 4 × 100ms is below the daemon's 1s minimum
			{250 * time.Millisecond, time.Second},
			{time.Second, 4 * time.Second},
		}
		for _, c := range cases {
			o := Options{Announce: c.announce}
			o.defaults()
			if o.PeerTimeout != c.want {
				t.Errorf("Announce %v: got PeerTimeout %v, want %v", c.announce, o.PeerTimeout, c.want)
			}
		}
	})
	t.Run("NoHosts", func(t *testing.T) {
		o := Options{Hosts: NoHosts}
		o.defaults()
		if o.Hosts != 0 {
			t.Errorf("Hosts: got %d, want 0", o.Hosts)
		}
	})
	t.Run("kept", func(t *testing.T) {
		o := Options{Hosts: 7, Mode: Netns, Announce: time.Second, PeerTimeout: 3 * time.Second,
			BlkidInterval: time.Minute, MountsInterval: 2 * time.Second, LogLevel: "debug", StartTimeout: time.Minute}
		want := o
		o.defaults()
		if o.Hosts != want.Hosts || o.Mode != want.Mode || o.Announce != want.Announce || o.PeerTimeout != want.PeerTimeout ||
			o.BlkidInterval != want.BlkidInterval || o.MountsInterval != want.MountsInterval ||
			o.LogLevel != want.LogLevel || o.StartTimeout != want.StartTimeout {
			t.Errorf("defaults changed given values: got %+v, want %+v", o, want)
		}
	})
}
