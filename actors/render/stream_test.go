package render

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/diskd-actors/diskd-actors/actors/identity"
	"github.com/diskd-actors/diskd-actors/messages"
)

// viewOf groups disks by node as Info's view does.
func viewOf(disks []messages.NodeDisk) *messages.InventoryView {
	v := &messages.InventoryView{Disks: len(disks)}
	for _, d := range disks {
		if n := len(v.Nodes); n == 0 || v.Nodes[n-1].Node != d.Node {
			v.Nodes = append(v.Nodes, messages.NodeDisks{Node: d.Node, Local: d.Local})
		}
		n := &v.Nodes[len(v.Nodes)-1]
		n.Disks = append(n.Disks, d.Disk)
	}
	return v
}

// drain runs a stream to its end and counts its pieces.
func drain(t *testing.T, s Stream) (string, int) {
	t.Helper()
	var all []byte
	pieces := 0
	for more := true; more; {
		var b []byte
		b, more = s.Next(nil)
		if len(b) > PieceSize+4096 {
			t.Fatalf("piece of %d bytes, want about %d at most", len(b), PieceSize)
		}
		all = append(all, b...)
		pieces++
	}
	return string(all), pieces
}

// manyDisks is n disks over nodes of 100, the first node local.
func manyDisks(n int) []messages.NodeDisk {
	out := make([]messages.NodeDisk, n)
	for i := range out {
		out[i] = messages.NodeDisk{Node: fmt.Sprintf("node-%03d", i/100), Local: i < 100, Disk: messages.Disk{
			UUID: fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i), Label: fmt.Sprintf("disk %d", i), Device: fmt.Sprintf("/dev/sd%d", i%26), Type: "ext4"}}
		if i%3 == 0 {
			out[i].Mounts = []messages.Mount{{Path: fmt.Sprintf("/mnt/%d", i), FSType: "ext4", ReadOnly: i%2 == 0}}
		}
	}
	return out
}

// duplicateDisks holds both kinds of duplicate: one disk (by WWN) on two
// nodes, and one UUID cloned onto two disks (by serial) of one node.
func duplicateDisks() []messages.NodeDisk {
	ds := manyDisks(250)
	ds[5].WWN, ds[150].WWN = "0x5000c500a1b2c3d4", "0x5000C500A1B2C3D4"
	ds[160].Model, ds[160].Serial = "Stick", "S1"
	ds[170].Model, ds[170].Serial, ds[170].UUID = "Stick", "S2", ds[160].UUID
	return ds
}

// The streamed answer is the whole answer, byte for byte, in every case
// the goldens hold and at a size that takes many pieces.
func TestListStream_equalsList(t *testing.T) {
	for name, ds := range map[string][]messages.NodeDisk{"empty": nil, "golden": disks, "many": manyDisks(2000),
		"no local disks": manyDisks(300)[100:], "duplicates": duplicateDisks()} {
		for _, jsonOut := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s json=%v", name, jsonOut), func(t *testing.T) {
				want := string(List(&messages.Inventory{Disks: ds, Duplicates: identity.Duplicates(ds)}, jsonOut).Encode())
				got, pieces := drain(t, ListStream(viewOf(ds), jsonOut))
				if got != want {
					t.Fatalf("streamed answer differs:\n got %.300q\nwant %.300q", got, want)
				}
				if name == "duplicates" && !jsonOut && strings.Count(got, "warning: ") != 2 {
					t.Errorf("want two duplicate warnings:\n%s", got)
				}
				if len(ds) >= 2000 && pieces < 2 {
					t.Errorf("%d disks in %d piece, want several", len(ds), pieces)
				}
			})
		}
	}
}

// The JSON line is one valid array of the inventory's disks, in order.
func TestListStream_jsonIsValid(t *testing.T) {
	ds := manyDisks(1500)
	got, _ := drain(t, ListStream(viewOf(ds), true))
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != 2 || lines[1] != ".ok 1500 disks" {
		t.Fatalf("got %d lines ending %q, want the array and .ok 1500 disks", len(lines), lines[len(lines)-1])
	}
	var back []messages.NodeDisk
	if err := json.Unmarshal([]byte(lines[0]), &back); err != nil || len(back) != len(ds) {
		t.Fatalf("got %d disks, %v; want %d", len(back), err, len(ds))
	}
	for i := range ds {
		if back[i].Node != ds[i].Node || back[i].Local != ds[i].Local || !back[i].Disk.Equal(ds[i].Disk) {
			t.Fatalf("disk %d: got %+v, want %+v", i, back[i], ds[i])
		}
	}
}

// BenchmarkList_json20000 compares the streamed "list --json" of 20,000
// disks with the whole answer json.Marshal built before.
func BenchmarkList_json20000(b *testing.B) {
	ds := manyDisks(20000)
	v := viewOf(ds)
	b.Run("stream", func(b *testing.B) {
		buf := make([]byte, 0, 2*PieceSize)
		for b.Loop() {
			s := ListStream(v, true)
			for more := true; more; {
				buf, more = s.Next(buf[:0])
			}
		}
	})
	b.Run("marshal", func(b *testing.B) {
		for b.Loop() {
			List(&messages.Inventory{Disks: ds}, true).Encode()
		}
	})
}
