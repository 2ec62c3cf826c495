package uevent

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Events of the kernel's uevent group (testdata/*.bin): loop_change.bin
// was captured here from a synthetic "change" (echo change >
// /sys/class/block/loop0/uevent); the USB ones are written by hand in the
// same format, from a USB stick's plug-in as udevadm monitor --kernel
// --property shows it; libudev.bin is the start of udevd's own header.
func TestParse_Captured(t *testing.T) {
	for _, c := range []struct {
		file  string
		want  Event
		block bool
	}{
		{"loop_change.bin", Event{Action: "change", DevPath: "/devices/virtual/block/loop0", Subsystem: "block", DevName: "loop0", DevType: "disk", Seq: 2024}, true},
		{"usb_partition_add.bin", Event{Action: "add", DevPath: "/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block/sdb/sdb1",
			Subsystem: "block", DevName: "sdb1", DevType: "partition", Seq: 5012}, true},
		{"usb_bind.bin", Event{Action: "bind", DevPath: "/devices/pci0000:00/0000:00:14.0/usb2/2-1", Subsystem: "usb", DevName: "bus/usb/002/003",
			DevType: "usb_device", Seq: 5009}, false},
	} {
		t.Run(c.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(b)
			if err != nil || got != c.want || got.BlockChange() != c.block {
				t.Errorf("got %+v, %v (block change %v); want %+v (%v)", got, err, got.BlockChange(), c.want, c.block)
			}
		})
	}
}

func TestParse_Rejects(t *testing.T) {
	udev, err := os.ReadFile("testdata/libudev.bin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(udev); !errors.Is(err, ErrNotKernel) {
		t.Errorf("libudev datagram: got %v, want ErrNotKernel", err)
	}
	const ok = "add@/d\x00ACTION=add\x00DEVPATH=/d\x00SUBSYSTEM=block\x00"
	if _, err := Parse([]byte(ok)); err != nil {
		t.Fatalf("minimal event: %v", err)
	}
	for name, in := range map[string]string{
		"empty":              "",
		"no @":               "add/d\x00ACTION=add\x00DEVPATH=/d\x00SUBSYSTEM=block",
		"relative devpath":   "add@d\x00ACTION=add\x00DEVPATH=d\x00SUBSYSTEM=block",
		"action disagrees":   "add@/d\x00ACTION=remove\x00DEVPATH=/d\x00SUBSYSTEM=block",
		"devpath disagrees":  "add@/d\x00ACTION=add\x00DEVPATH=/e\x00SUBSYSTEM=block",
		"no subsystem":       "add@/d\x00ACTION=add\x00DEVPATH=/d",
		"variable without =": ok + "JUNK",
		"key twice":          ok + "SUBSYSTEM=net",
		"bad seqnum":         ok + "SEQNUM=x",
		"not UTF-8":          ok + "DEVNAME=\xff",
		"too many variables": ok + strings.Repeat("K=v\x00", maxVars),
		"too large":          ok + strings.Repeat("x", MaxEvent),
	} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("%s: got no error", name)
		}
	}
}

// Parse never panics, and what it accepts is consistent: a header that
// agrees with its variables.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.bin")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("add@/d\x00ACTION=add\x00DEVPATH=/d\x00SUBSYSTEM=block\x00SEQNUM=1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := Parse(b)
		if err != nil {
			return
		}
		if e.Action == "" || !strings.HasPrefix(e.DevPath, "/") || !strings.HasPrefix(string(b), e.Action+"@"+e.DevPath) {
			t.Fatalf("accepted %q as %+v", b, e)
		}
	})
}
