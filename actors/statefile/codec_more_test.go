package statefile

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// peerWith is a valid peer named node holding disks.
func peerWith(node string, disks ...messages.Disk) messages.SavedPeer {
	return messages.SavedPeer{Node: node, Instance: "0123456789abcdef", LastSeen: t0, Disks: disks}
}

// Values at the edges of what is valid are saved and load back the same.
func TestEncodeDecode_oddValues(t *testing.T) {
	everyControl := func() string {
		var b strings.Builder
		for c := 1; c < 0x20; c++ {
			b.WriteByte(byte(c))
		}
		return b.String() + "\x7f\u2028\u2029\ufeff"
	}()
	cases := []struct {
		name string
		snap messages.StateSnapshot
	}{
		{"empty", messages.StateSnapshot{Node: "n"}},
		{"zero optional times", messages.StateSnapshot{Node: "n", Peers: []messages.SavedPeer{{Node: "p", LastSeen: t0}}}},
		{"year 0 and 9999", messages.StateSnapshot{Node: "n", SavedAt: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
			Peers: []messages.SavedPeer{{Node: "p", FirstSeen: time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), LastSeen: time.Date(9999, 1, 1, 0, 0, 0, 1, time.UTC)}}}},
		{"zones and nanoseconds", messages.StateSnapshot{Node: "n", SavedAt: time.Date(2026, 1, 1, 0, 30, 0, 1, time.FixedZone("X", 13*3600+45*60)),
			Peers: []messages.SavedPeer{{Node: "p", LastSeen: time.Date(2026, 6, 30, 23, 0, 0, 999, time.FixedZone("Y", -11*3600))}}}},
		{"every control character", messages.StateSnapshot{Node: "n", Peers: []messages.SavedPeer{peerWith("p",
			messages.Disk{Label: everyControl, UUID: `\u0000 is text`, Device: `"\"`, Type: "\\"})}}},
		{"fields at MaxField", messages.StateSnapshot{Node: strings.Repeat("n", wire.MaxNodeName), Peers: []messages.SavedPeer{
			{Node: "p", Instance: "legacy", Address: strings.Repeat("a", wire.MaxField), Version: strings.Repeat("é", wire.MaxField/2), LastSeen: t0,
				Disks: []messages.Disk{{UUID: strings.Repeat("u", wire.MaxField), Label: strings.Repeat("l", wire.MaxField),
					Device: strings.Repeat("d", wire.MaxField), Type: strings.Repeat("t", wire.MaxField)}}}}}},
		{"mounts at the limit", messages.StateSnapshot{Node: "n", Peers: []messages.SavedPeer{peerWith("p", messages.Disk{UUID: "u",
			Mounts: func() []messages.Mount {
				ms := make([]messages.Mount, wire.MaxMountsPerDisk)
				for i := range ms {
					ms[i] = messages.Mount{Path: "/m/" + strings.Repeat("x", i+1), FSType: "ext4", ReadOnly: i%2 == 1}
				}
				return ms
			}()})}}},
		{"sighting of a disk no peer holds", messages.StateSnapshot{Node: "n",
			Sightings: []messages.Sighting{{Node: "gone", At: t0, Disk: messages.Disk{Label: "only label"}}}}},
		{"sighting on another node than the peer holding the uuid", messages.StateSnapshot{Node: "n",
			Peers:     []messages.SavedPeer{peerWith("p", messages.Disk{UUID: "u", Label: "a"})},
			Sightings: []messages.Sighting{{Node: "q", At: t0, Disk: messages.Disk{UUID: "u", Label: "a"}}}}},
		{"sighting of a changed disk", messages.StateSnapshot{Node: "n",
			Peers:     []messages.SavedPeer{peerWith("p", messages.Disk{UUID: "u", Label: "new"})},
			Sightings: []messages.Sighting{{Node: "p", At: t0, Disk: messages.Disk{UUID: "u", Label: "old"}}}}},
		{"two peers share a uuid", messages.StateSnapshot{Node: "n",
			Peers: []messages.SavedPeer{peerWith("p", messages.Disk{UUID: "u", Label: "a"}), peerWith("q", messages.Disk{UUID: "u", Label: "b"})},
			Sightings: []messages.Sighting{{Node: "q", At: t0, Disk: messages.Disk{UUID: "u", Label: "b"}},
				{Node: "p", At: t0, Disk: messages.Disk{UUID: "u", Label: "a"}}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.snap
			in.Version = messages.StateVersion
			b := encode(t, &in)
			got, legacy, err := Decode(b)
			if err != nil || legacy {
				t.Fatalf("Decode: got legacy %v, %v, want JSON and no error\n%s", legacy, err, b)
			}
			if !reflect.DeepEqual(norm(got), norm(&in)) {
				t.Errorf("round trip:\ngot  %+v\nwant %+v", norm(got), norm(&in))
			}
		})
	}
}

// Encode refuses what Decode would refuse, naming the record and field,
// and writes nothing of the snapshot when the head is bad.
func TestEncode_refusals(t *testing.T) {
	long := strings.Repeat("x", wire.MaxField+1)
	cases := []struct {
		name string
		mut  func(s *messages.StateSnapshot)
		want string
	}{
		{"empty node", func(s *messages.StateSnapshot) { s.Node = "" }, "encode state: node: not a node name"},
		{"node starting with a dot", func(s *messages.StateSnapshot) { s.Node = ".n" }, "encode state: node: not a node name"},
		{"saved_at past 9999", func(s *messages.StateSnapshot) { s.SavedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "encode state: saved_at: year 10000 out of range"},
		{"a zone pushing the year past 9999", func(s *messages.StateSnapshot) {
			s.SavedAt = time.Date(9999, 12, 31, 23, 0, 0, 0, time.FixedZone("W", -5*3600))
		}, "saved_at: year 10000 out of range"},
		{"negative year", func(s *messages.StateSnapshot) { s.Peers[0].FirstSeen = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC) }, "peers[0].first_seen: year -1 out of range"},
		{"zero last_seen", func(s *messages.StateSnapshot) { s.Peers[0].LastSeen = time.Time{} }, "peers[0].last_seen: missing or zero time"},
		{"upper-case instance", func(s *messages.StateSnapshot) { s.Peers[0].Instance = "0123456789ABCDEF" }, "peers[0].instance: want 16 lower-case hex digits"},
		{"short instance", func(s *messages.StateSnapshot) { s.Peers[0].Instance = "0123" }, "peers[0].instance:"},
		{"address too long", func(s *messages.StateSnapshot) { s.Peers[0].Address = long }, "peers[0].address: 257 bytes, limit 256"},
		{"version not UTF-8", func(s *messages.StateSnapshot) { s.Peers[0].Version = "\xff" }, "peers[0].version: not valid UTF-8"},
		{"NUL in a label", func(s *messages.StateSnapshot) { s.Peers[0].Disks[0].Label = "a\x00b" }, "peers[0].disks[0]: label: contains NUL"},
		{"too many disks", func(s *messages.StateSnapshot) {
			s.Peers[0].Disks = make([]messages.Disk, MaxPeerDisks+1)
		}, "peers[0].disks: "},
		{"mount without a path", func(s *messages.StateSnapshot) {
			s.Peers[0].Disks[0].Mounts = []messages.Mount{{FSType: "ext4"}}
		}, "peers[0].disks[0]: mount 0: bad path or type"},
		{"too many mounts", func(s *messages.StateSnapshot) {
			s.Peers[0].Disks[0].Mounts = make([]messages.Mount, wire.MaxMountsPerDisk+1)
		}, "peers[0].disks[0]: "},
		{"duplicate peer", func(s *messages.StateSnapshot) { s.Peers = append(s.Peers, s.Peers[0]) }, "peers[1].node: duplicate peer"},
		{"sighting without a time", func(s *messages.StateSnapshot) { s.Sightings[0].At = time.Time{} }, "sightings[0].at: missing or zero time"},
		{"sighting of a bad node", func(s *messages.StateSnapshot) { s.Sightings[0].Node = "a/b" }, "sightings[0].node: not a node name"},
		{"sighting of a type not UTF-8", func(s *messages.StateSnapshot) { s.Sightings[0].Disk.Type = "\xc3" }, "sightings[0].disk: type: not valid UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &messages.StateSnapshot{Node: "n", SavedAt: t0,
				Peers:     []messages.SavedPeer{peerWith("p", messages.Disk{UUID: "u", Label: "l"})},
				Sightings: []messages.Sighting{{Node: "p", At: t0, Disk: messages.Disk{UUID: "u", Label: "l"}}}}
			c.mut(s)
			var buf bytes.Buffer
			err := Encode(&buf, s)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Encode: got %v, want an error holding %q", err, c.want)
			}
			if strings.Contains(err.Error(), "\xff") || strings.Contains(err.Error(), long) {
				t.Errorf("Encode error %q: want it not to quote the value", err)
			}
		})
	}
}

// Error's text says where (line for YAML, byte for JSON, nothing when
// unknown) and which field, then why.
func TestError_text(t *testing.T) {
	cases := []struct {
		e    Error
		want string
	}{
		{Error{Offset: 0, Reason: "r"}, "byte 0: r"},
		{Error{Offset: 12, Path: "peers[3].node", Reason: "r"}, "byte 12 peers[3].node: r"},
		{Error{Line: 7, Offset: 99, Reason: "r"}, "line 7: r"},
		{Error{Line: 7, Path: "node", Reason: "r"}, "line 7 node: r"},
		{Error{noPos: true, Path: "sightings[0]", Reason: "r"}, "sightings[0]: r"},
		{Error{noPos: true, Reason: "r"}, "r"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			if got := c.e.Error(); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// A sighting of a disk that a peer holds unchanged is written as a
// reference; one that differs or belongs to another node carries the disk.
func TestEncode_sightingReferences(t *testing.T) {
	d := messages.Disk{UUID: "u", Label: "a", Mounts: []messages.Mount{{Path: "/m", FSType: "ext4"}}}
	cases := []struct {
		name    string
		sight   messages.Sighting
		wantRef bool
	}{
		{"same node, same disk", messages.Sighting{Node: "p", At: t0, Disk: d}, true},
		{"same node, mount gone", messages.Sighting{Node: "p", At: t0, Disk: messages.Disk{UUID: "u", Label: "a"}}, false},
		{"other node", messages.Sighting{Node: "q", At: t0, Disk: d}, false},
		{"label-only disk", messages.Sighting{Node: "p", At: t0, Disk: messages.Disk{Label: "u"}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &messages.StateSnapshot{Node: "n", Peers: []messages.SavedPeer{peerWith("p", d)}, Sightings: []messages.Sighting{c.sight}}
			b := encode(t, s)
			if got := bytes.Contains(b, []byte(`"peer_disk":0`)); got != c.wantRef {
				t.Errorf("reference: got %v, want %v\n%s", got, c.wantRef, b)
			}
			got, _, err := Decode(b)
			if err != nil || len(got.Sightings) != 1 || !got.Sightings[0].Disk.Equal(c.sight.Disk) {
				t.Errorf("Decode: got %+v %v, want the sighting's disk %+v", got, err, c.sight.Disk)
			}
		})
	}
}
