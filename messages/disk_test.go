package messages

import (
	"encoding/json"
	"testing"
)

func TestDiskKey(t *testing.T) {
	for _, c := range []struct {
		name string
		d    Disk
		want string
	}{
		{"uuid wins over label", Disk{UUID: "u-1", Label: "backup", Device: "/dev/sda1"}, "uuid:u-1"},
		{"label when no uuid", Disk{Label: "backup 2", Device: "/dev/sdb1"}, "label:backup 2"},
		{"device never identifies", Disk{Device: "/dev/sdc1"}, "label:"},
		{"label that looks like a uuid key stays a label", Disk{Label: "uuid:x"}, "label:uuid:x"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.d.Key(); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// The same disk on another device name (sdb renamed sdc across a boot)
// keeps its key but is not Equal: Info must notice the rename.
func TestDiskKey_sameAcrossDeviceRename(t *testing.T) {
	a := Disk{UUID: "u", Device: "/dev/sdb1"}
	b := Disk{UUID: "u", Device: "/dev/sdc1"}
	if a.Key() != b.Key() {
		t.Errorf("got keys %v and %v, want equal", a.Key(), b.Key())
	}
	if a.Equal(b) {
		t.Errorf("got Equal true for different devices, want false")
	}
}

func TestDiskEqual(t *testing.T) {
	base := Disk{UUID: "u", Label: "l", Device: "/dev/sda1", Type: "ext4",
		Mounts: []Mount{{Path: "/a", FSType: "ext4"}, {Path: "/b", FSType: "ext4", ReadOnly: true}}}
	mod := func(f func(*Disk)) Disk {
		d := base
		d.Mounts = append([]Mount(nil), base.Mounts...)
		f(&d)
		return d
	}
	for _, c := range []struct {
		name string
		o    Disk
		want bool
	}{
		{"identical copy", mod(func(*Disk) {}), true},
		{"uuid differs", mod(func(d *Disk) { d.UUID = "v" }), false},
		{"label differs", mod(func(d *Disk) { d.Label = "L" }), false},
		{"device differs", mod(func(d *Disk) { d.Device = "/dev/sdb1" }), false},
		{"type differs", mod(func(d *Disk) { d.Type = "xfs" }), false},
		{"mount read-only flips", mod(func(d *Disk) { d.Mounts[1].ReadOnly = false }), false},
		{"mount path differs", mod(func(d *Disk) { d.Mounts[0].Path = "/c" }), false},
		{"mount order matters", mod(func(d *Disk) { d.Mounts[0], d.Mounts[1] = d.Mounts[1], d.Mounts[0] }), false},
		{"one mount fewer", mod(func(d *Disk) { d.Mounts = d.Mounts[:1] }), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := base.Equal(c.o); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
			if got := c.o.Equal(base); got != c.want {
				t.Errorf("reversed: got %v, want %v", got, c.want)
			}
		})
	}
}

// Nil and empty mount lists mean the same (unmounted): a decoded
// announcement has nil, a rebuilt list may have empty.
func TestDiskEqual_nilAndEmptyMounts(t *testing.T) {
	a := Disk{UUID: "u"}
	b := Disk{UUID: "u", Mounts: []Mount{}}
	if !a.Equal(b) {
		t.Errorf("got false, want true")
	}
}

func TestDisksEqual(t *testing.T) {
	x := Disk{UUID: "x"}
	y := Disk{UUID: "y"}
	xy := []Disk{x, y}
	for _, c := range []struct {
		name string
		a, b []Disk
		want bool
	}{
		{"both nil", nil, nil, true},
		{"nil and empty", nil, []Disk{}, true},
		{"same order", []Disk{x, y}, []Disk{x, y}, true},
		{"other order", []Disk{x, y}, []Disk{y, x}, false},
		{"one more", []Disk{x}, []Disk{x, y}, false},
		{"empty and one", []Disk{}, []Disk{x}, false},
		{"element differs deeply", []Disk{{UUID: "x", Mounts: []Mount{{Path: "/"}}}}, []Disk{x}, false},
		{"the same list", xy, xy, true},
		{"a shorter view of the same list", xy[:1], xy, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := DisksEqual(c.a, c.b); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// The JSON names of a disk are what scripts read; "mounts" is left out for
// an unmounted Disk (NodeDisk always writes it, see info_test.go).
func TestDisk_JSONShape(t *testing.T) {
	for _, c := range []struct {
		name string
		d    Disk
		want string
	}{
		{"unmounted", Disk{UUID: "u", Label: "l", Device: "/dev/x", Type: "ext4"},
			`{"uuid":"u","label":"l","device":"/dev/x","type":"ext4"}`},
		{"empty fields stay present", Disk{},
			`{"uuid":"","label":"","device":"","type":""}`},
		{"mounted", Disk{UUID: "u", Mounts: []Mount{{Path: "/m", FSType: "vfat", ReadOnly: true}}},
			`{"uuid":"u","label":"","device":"","type":"","mounts":[{"path":"/m","fstype":"vfat","ro":true}]}`},
		{"hostile label is escaped, not raw", Disk{Label: "\x1b[2J\"q\"\n"},
			`{"uuid":"","label":"\u001b[2J\"q\"\n","device":"","type":""}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := json.Marshal(c.d)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != c.want {
				t.Errorf("got %s, want %s", b, c.want)
			}
			var back Disk
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if !back.Equal(c.d) {
				t.Errorf("round trip: got %+v, want %+v", back, c.d)
			}
		})
	}
}
