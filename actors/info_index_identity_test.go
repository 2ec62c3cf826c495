package actors

import (
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
)

// A sighting is found by its disk's serial exactly, WWN and PARTUUID in any
// case and a model substring of at least three characters in any case;
// once its disk changes model, the old model no longer finds it.
func TestSightings_LookupByIdentity(t *testing.T) {
	s := newSightings(10)
	t0 := time.Unix(1000, 0)
	d := disk(1)
	d.Identity = messages.Identity{Serial: "WD-WCC4N1234567", WWN: "0x50014EE2B5A1C3D4", PartUUID: "6F1C2A4E-01", Model: "WDC WD20EZRZ-00Z5HB0"}
	s.put(messages.Sighting{Node: "a", At: t0, Disk: d})
	for _, q := range []string{"WD-WCC4N1234567", "0x50014ee2b5a1c3d4", "6f1c2a4e-01", "wd20ezrz", "WDC WD20"} {
		if got := lookupNodes(s, q); len(got) != 1 {
			t.Errorf("lookup %q: got %v, want a", q, got)
		}
	}
	for _, q := range []string{"wd-wcc4n1234567", "WD", "0x5001", "/dev/sdz"} {
		if got := lookupNodes(s, q); len(got) != 0 {
			t.Errorf("lookup %q: got %v, want nothing", q, got)
		}
	}
	d.Model = "Elements"
	s.put(messages.Sighting{Node: "a", At: t0.Add(time.Second), Disk: d})
	if got := lookupNodes(s, "wd20ezrz"); len(got) != 0 {
		t.Errorf("old model after a change: got %v, want nothing", got)
	}
	if got := lookupNodes(s, "element"); len(got) != 1 {
		t.Errorf("new model: got %v, want a", got)
	}
	if len(s.names.models) != 1 {
		t.Errorf("model index holds %v, want only the new model", s.names.models)
	}
}
