package identity

import (
	"bytes"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/diskd-actors/diskd-actors/actors/identity/identitytest"
	"github.com/diskd-actors/diskd-actors/messages"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from what Read returns")

// Every fixture tree reads to its golden table.
func TestRead_Golden(t *testing.T) {
	trees, _ := filepath.Glob("testdata/*.tree")
	if len(trees) < 6 {
		t.Fatalf("found %d fixture trees, want the six kinds of disk", len(trees))
	}
	for _, tree := range trees {
		t.Run(strings.TrimSuffix(filepath.Base(tree), ".tree"), func(t *testing.T) {
			sys, udev, err := identitytest.Load(tree)
			if err != nil {
				t.Fatal(err)
			}
			table, problems, err := Read(sys, udev)
			if err != nil || len(problems) > 0 {
				t.Fatalf("got error %v, problems %v", err, problems)
			}
			got, _ := json.MarshalIndent(table, "", "  ")
			got = append(got, '\n')
			golden := strings.TrimSuffix(tree, ".tree") + ".golden.json"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test ./actors/identity -run TestRead_Golden -update writes it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("got\n%s\nwant\n%s\n(go test ./actors/identity -run TestRead_Golden -update rewrites it)", got, want)
			}
		})
	}
}

// What each kind of disk must say, whatever else the golden files hold.
func TestRead_Kinds(t *testing.T) {
	for _, c := range []struct {
		tree, dev string
		want      func(messages.Identity) bool
	}{
		{"sata", "/dev/sda1", func(id messages.Identity) bool {
			return id.Transport == "sata" && id.WholeDisk == "/dev/sda" && id.Serial == "S3Z1NB0K123456A" &&
				id.Model == "Samsung SSD 860 EVO 500GB" && id.WWN == "0x5002538e40a1b2c3" && id.Size == 1048576*512 &&
				id.PartUUID == "6f1c2a4e-4b1e-4f0e-9d33-2b7a8c1e0a01" && !*id.Rotational && !*id.Removable
		}},
		{"nvme", "/dev/nvme0n1p1", func(id messages.Identity) bool {
			return id.Transport == "nvme" && id.WholeDisk == "/dev/nvme0n1" && id.Serial == "S4EWNX0R123456" &&
				id.Model == "Samsung SSD 970 EVO Plus 1TB" && id.WWN == "eui.0025385391b12345"
		}},
		{"usb", "/dev/sdb1", func(id messages.Identity) bool {
			return id.Transport == "usb" && id.WholeDisk == "/dev/sdb" && id.Serial == "4C530001230412345678" &&
				id.Model == "Cruzer Blade" && *id.Removable
		}},
		{"partitionless", "/dev/sdc", func(id messages.Identity) bool {
			return id.Transport == "ata" && id.WholeDisk == "/dev/sdc" && id.Size == 3907029168*512 && id.Serial == "" && *id.Rotational
		}},
		{"dm", "/dev/mapper/vg0-home", func(id messages.Identity) bool {
			return id.Transport == "ata" && id.WholeDisk == "/dev/sda" && id.Model == "ST1000DM010-2EP1" && id.Size == 209715200*512
		}},
		{"dm", "/dev/mapper/vg1-data", func(id messages.Identity) bool {
			return id.Transport == "dm" && id.WholeDisk == "/dev/mapper/vg1-data" && id.Model == "" && id.Size == 2097152*512
		}},
		{"loop", "/dev/loop0", func(id messages.Identity) bool {
			return id.Transport == "loop" && id.WholeDisk == "/dev/loop0" && id.Size == 16<<20 && id.Model == ""
		}},
	} {
		t.Run(c.tree, func(t *testing.T) {
			sys, udev, err := identitytest.Load("testdata/" + c.tree + ".tree")
			if err != nil {
				t.Fatal(err)
			}
			table, _, err := Read(sys, udev)
			if err != nil {
				t.Fatal(err)
			}
			id, ok := table[c.dev]
			if !ok || !c.want(id) {
				b, _ := json.Marshal(id)
				t.Errorf("%s: got %s (found %v)", c.dev, b, ok)
			}
		})
	}
}

// Apply gives blkid's disks their identity by device; a disk on a device
// sysfs does not know keeps none, and blkid's PARTUUID wins.
func TestApply(t *testing.T) {
	sys, udev, err := identitytest.Load("testdata/sata.tree")
	if err != nil {
		t.Fatal(err)
	}
	table, _, err := Read(sys, udev)
	if err != nil {
		t.Fatal(err)
	}
	disks := table.Apply([]messages.Disk{
		{UUID: "u1", Device: "/dev/sda2", Identity: messages.Identity{PartUUID: "from-blkid"}},
		{UUID: "u2", Device: "/dev/nowhere"},
	})
	if disks[0].Serial != "S3Z1NB0K123456A" || disks[0].PartUUID != "from-blkid" {
		t.Errorf("sda2: got %+v", disks[0].Identity)
	}
	if disks[1].Known() {
		t.Errorf("unknown device: got identity %+v", disks[1].Identity)
	}
}

// Broken sysfs: a device with an unreadable size is a problem named, not
// a failed scan; a missing class/block is an error.
func TestRead_Broken(t *testing.T) {
	m := fstest.MapFS{
		"class/block/sda":                  {Data: []byte("../../devices/sda"), Mode: fs.ModeSymlink | 0o777},
		"devices/sda/size":                 {Data: []byte("lots\n")},
		"class/block/sdb":                  {Data: []byte("../../../../etc"), Mode: fs.ModeSymlink | 0o777},
		"class/block/loop0":                {Data: []byte("../../devices/virtual/block/loop0"), Mode: fs.ModeSymlink | 0o777},
		"devices/virtual/block/loop0/size": {Data: []byte("8\n")},
	}
	table, problems, err := Read(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 2 || table["/dev/loop0"].Size != 4096 {
		t.Errorf("got table %v, problems %v; want loop0 and two problems", table, problems)
	}
	if _, _, err := Read(fstest.MapFS{}, nil); err == nil {
		t.Error("no class/block: got no error")
	}
}

// The same trees written out as real directories with real links (what the
// daemon reads through os.DirFS) read to the same tables.
func TestRead_RealDirectories(t *testing.T) {
	trees, _ := filepath.Glob("testdata/*.tree")
	for _, tree := range trees {
		sys, udev, err := identitytest.Load(tree)
		if err != nil {
			t.Fatal(err)
		}
		want, _, err := Read(sys, udev)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := identitytest.Write(tree, dir); err != nil {
			t.Fatal(err)
		}
		var realUdev fs.FS
		if udev != nil {
			realUdev = os.DirFS(filepath.Join(dir, "udev"))
		}
		got, problems, err := Read(os.DirFS(filepath.Join(dir, "sys")), realUdev)
		if err != nil || len(problems) > 0 {
			t.Fatalf("%s: %v %v", tree, err, problems)
		}
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(want)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: from directories %s, from the tree %s", tree, a, b)
		}
	}
}

// A udev record that does not parse is a problem named; the device keeps
// what sysfs says.
func TestRead_BadUdevRecord(t *testing.T) {
	sys, udev, err := identitytest.Load("testdata/sata.tree")
	if err != nil {
		t.Fatal(err)
	}
	m := fstest.MapFS{"b8:2": {Data: []byte("garbage\n")}}
	for _, n := range []string{"b8:0", "b8:1"} {
		b, _ := fs.ReadFile(udev, n)
		m[n] = &fstest.MapFile{Data: b}
	}
	table, problems, err := Read(sys, m)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "sda2") || table["/dev/sda2"].Size == 0 || table["/dev/sda2"].Serial != "S3Z1NB0K123456A" {
		t.Errorf("got problems %v, sda2 %+v", problems, table["/dev/sda2"])
	}
}
