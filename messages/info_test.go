package messages

import (
	"encoding/json"
	"testing"
)

func TestNodeDisk_JSONAlwaysHasMounts(t *testing.T) {
	for _, c := range []struct {
		in   NodeDisk
		want string
	}{
		{NodeDisk{Node: "n", Disk: Disk{UUID: "u", Label: "a b"}},
			`{"node":"n","local":false,"uuid":"u","label":"a b","device":"","type":"","mounts":[]}`},
		{NodeDisk{Node: "n", Local: true, Disk: Disk{Label: "x", Mounts: []Mount{{Path: "/m", FSType: "ext4", ReadOnly: true}}}},
			`{"node":"n","local":true,"uuid":"","label":"x","device":"","type":"","mounts":[{"path":"/m","fstype":"ext4","ro":true}]}`},
	} {
		b, err := json.Marshal(c.in)
		if err != nil || string(b) != c.want {
			t.Errorf("got %s, %v; want %s", b, err, c.want)
		}
	}
}
