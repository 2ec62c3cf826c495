package statefile

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

func TestEncodeDecode_RoundTrip(t *testing.T) {
	in := testSnapshot()
	b := encode(t, in)
	got, legacy, err := Decode(b)
	if err != nil || legacy {
		t.Fatalf("Decode: got legacy=%v, %v, want JSON and nil\n%s", legacy, err, b)
	}
	if !reflect.DeepEqual(norm(got), norm(in)) {
		t.Fatalf("round trip:\ngot  %+v\nwant %+v", norm(got), norm(in))
	}
	if got.Version != messages.StateVersion {
		t.Errorf("Version: got %d, want %d", got.Version, messages.StateVersion)
	}
	if n := bytes.Count(b, []byte("\n")); n != len(in.Peers)+len(in.Sightings)+2 {
		t.Errorf("lines: got %d, want one a record plus 2", n)
	}
	if n := bytes.Count(b, []byte(`"peer_disk":0`)); n != 1 {
		t.Errorf("sightings by reference: got %d, want 1 (the one of a disk a peer holds)\n%s", n, b)
	}
}

func TestEncode_StampsVersionAndValidates(t *testing.T) {
	s := testSnapshot()
	s.Version = 99
	got, _, err := Decode(encode(t, s))
	if err != nil || got.Version != messages.StateVersion {
		t.Fatalf("got %v, %v, want version %d", got, err, messages.StateVersion)
	}
	for name, mut := range map[string]func(*messages.StateSnapshot){
		"bad node":       func(s *messages.StateSnapshot) { s.Node = "a b" },
		"duplicate peer": func(s *messages.StateSnapshot) { s.Peers[1].Node = s.Peers[0].Node },
		"zero last seen": func(s *messages.StateSnapshot) { s.Peers[0].LastSeen = s.Peers[0].LastSeen.AddDate(-3000, 0, 0) },
		"anonymous disk": func(s *messages.StateSnapshot) { s.Sightings[0].Disk = messages.Disk{} },
	} {
		t.Run(name, func(t *testing.T) {
			s := testSnapshot()
			mut(s)
			if err := Encode(&bytes.Buffer{}, s); err == nil {
				t.Fatal("got nil, want an error")
			}
		})
	}
	if err := Encode(&bytes.Buffer{}, nil); err == nil {
		t.Error("nil snapshot: got nil, want an error")
	}
}

// secretish is content that must never appear in an error.
const secretish = "root:$6$SECRETHASH"

func TestDecode_StrictJSON(t *testing.T) {
	good := string(encode(t, testSnapshot()))
	head := `{"version":2,"node":"a","saved_at":"2026-01-01T00:00:00Z"`
	tests := []struct {
		name, in, want string
	}{
		{"empty", "  \n", "empty"},
		{"trailing data", good + `{"x":1}`, "data after the end"},
		{"trailing garbage", good + secretish, "data after the end"},
		{"unknown field", head + `,"` + secretish + `":1}`, "unknown field"},
		{"unknown field offset", `{"` + secretish + `":1}`, "byte 1: unknown field"},
		{"unknown peer field", head + `,"peers":[{"node":"b","last_seen":"2026-01-01T00:00:00Z","x":1}]}`, "peers[0]: unknown field"},
		{"repeated field", head + `,"node":"b"}`, "repeated field"},
		{"wrong type", head + `,"peers":[{"node":7}]}`, "peers[0].node: want a string"},
		{"wrong type list", head + `,"peers":{}}`, "peers: want a list"},
		{"null", head + `,"peers":null}`, "want a list"},
		{"bad time", head + `,"peers":[{"node":"b","last_seen":"` + secretish + `"}]}`, "last_seen: not an RFC 3339 time"},
		{"missing last seen", head + `,"peers":[{"node":"b"}]}`, "last_seen: missing"},
		{"invalid UTF-8", head + `,"node":"` + "\xff" + `"}`, "not valid UTF-8"},
		{"invalid UTF-8 offset", "{\"\xff\"}", "byte 2: not valid UTF-8"},
		{"control char", head[:len(head)-1] + "\x01\"}", "control character"},
		{"lone surrogate", `{"node":"\ud800"}`, "surrogate"},
		{"truncated", head + `,"peers":[`, "unexpected end of file"},
		{"truncated string", head + `,"peers":[{"node":"ab`, "unexpected end of file in a string"},
		{"cut", good[:len(good)/2], "byte"},
		{"no version", `{"node":"a"}`, "version: unsupported or missing version"},
		{"old version", `{"version":1,"node":"a"}`, "version: unsupported"},
		{"bad node", `{"version":2,"node":"` + "my host" + `"}`, "node: not a node name"},
		{"duplicate peer", head + `,"peers":[{"node":"b","last_seen":"2026-01-01T00:00:00Z"},{"node":"b","last_seen":"2026-01-01T00:00:00Z"}]}`, "peers[1].node: duplicate peer"},
		{"anonymous disk", head + `,"peers":[{"node":"b","last_seen":"2026-01-01T00:00:00Z","disks":[{"device":"/dev/x"}]}]}`, "peers[0].disks[0]: neither uuid nor label"},
		{"bad instance", head + `,"peers":[{"node":"b","instance":"` + secretish + `","last_seen":"2026-01-01T00:00:00Z"}]}`, "peers[0].instance: want 16"},
		{"sighting zero time", head + `,"sightings":[{"node":"b","at":"0001-01-01T00:00:00Z","disk":{"label":"x"}}]}`, "sightings[0].at: missing or zero time"},
		{"sighting disk field", head + `,"sightings":[{"node":"b","at":"2026-01-01T00:00:00Z","disk":{"colour":"x"}}]}`, "sightings[0].disk: unknown field"},
		{"peer_disk out of range", head + `,"peers":[{"node":"b","last_seen":"2026-01-01T00:00:00Z","disks":[{"label":"x"}]}],"sightings":[{"node":"b","at":"2026-01-01T00:00:00Z","peer_disk":1}]}`, "sightings[0].peer_disk: no such disk"},
		{"peer_disk of no peer", head + `,"sightings":[{"node":"c","at":"2026-01-01T00:00:00Z","peer_disk":0}]}`, "sightings[0].peer_disk: no such disk"},
		{"disk and peer_disk", head + `,"sightings":[{"node":"c","at":"2026-01-01T00:00:00Z","peer_disk":0,"disk":{"label":"x"}}]}`, "sightings[0]: want one of disk and peer_disk"},
		{"neither disk nor peer_disk", head + `,"sightings":[{"node":"c","at":"2026-01-01T00:00:00Z"}]}`, "want one of disk and peer_disk"},
		{"escaped unknown key", head + `,"\u006eode2":1}`, "unknown field"},
		{"oversize", string(make([]byte, MaxSize+1)), "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := Decode([]byte(tt.in))
			if got != nil || err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, %v, want an error containing %q", got, err, tt.want)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error quotes the file: %v", err)
			}
		})
	}
}

func TestDecode_EscapesAndWhiteSpace(t *testing.T) {
	in := " {\"version\" : 2 ,\n\"node\":\"a\", \"peers\" : [ { \"node\":\"b\",\"last_seen\":\"2026-01-01T00:00:00+01:00\"," +
		"\"disks\":[{\"label\":\"\\u00e9\\ud83d\\udcf7 \\\"q\\\" \\/ \\b\\f\\n\\r\\t\"}] } ], \"sightings\":[] }\n"
	got, _, err := Decode([]byte(in))
	if err != nil {
		t.Fatalf("got %v, want nil", err)
	}
	if l := got.Peers[0].Disks[0].Label; l != "é📷 \"q\" / \b\f\n\r\t" {
		t.Errorf("label: got %q", l)
	}
}

func TestDecode_YAMLFixtures(t *testing.T) {
	for name, b := range yamlFixtures(t) {
		t.Run(name, func(t *testing.T) {
			got, legacy, err := Decode(b)
			switch {
			case strings.HasPrefix(name, "valid_"):
				if err != nil || !legacy {
					t.Fatalf("got legacy=%v, %v, want YAML and nil", legacy, err)
				}
				// Migration: what YAML gave, JSON keeps.
				again, _, err := Decode(encode(t, got))
				if err != nil || !reflect.DeepEqual(norm(again), norm(got)) {
					t.Fatalf("as JSON: got %+v, %v, want %+v", again, err, got)
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
				if errors.Is(err, ErrDecoderPanic) {
					t.Fatal(err)
				}
			default:
				t.Fatalf("name: got %q, want a valid_ or invalid_ prefix", name)
			}
		})
	}
}

func TestDecode_YAMLMigration(t *testing.T) {
	in := testSnapshot()
	got, legacy, err := Decode(encodeYAML(t, in))
	if err != nil || !legacy {
		t.Fatalf("got legacy=%v, %v, want YAML and nil", legacy, err)
	}
	want := norm(in)
	want.Version = messages.StateVersion
	if !reflect.DeepEqual(norm(got), want) {
		t.Fatalf("got %+v\nwant %+v", norm(got), want)
	}
}

func TestDecode_YAMLErrorsDoNotQuote(t *testing.T) {
	for _, in := range []string{
		"version: 1\nnode: a\n" + secretish + ": x\n",
		"version: [" + secretish + "]\n",
		"version: 1\nnode: a\npeers: " + secretish + "\n",
		secretish + "\n",
		"version: 1\nnode: '" + secretish + "'\n",
	} {
		_, _, err := Decode([]byte(in))
		if err == nil || strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "root") {
			t.Errorf("input %q: got %v, want an error without the content", in, err)
		}
	}
}

func TestValidDisk_AgreesWithWire(t *testing.T) {
	long := strings.Repeat("x", wire.MaxField+1)
	mounts := make([]messages.Mount, wire.MaxMountsPerDisk+1)
	for i := range mounts {
		mounts[i] = messages.Mount{Path: "/m", FSType: "ext4"}
	}
	for _, d := range []messages.Disk{
		{}, {UUID: "u"}, {Label: "l"}, {Label: long}, {UUID: "u", Device: long}, {UUID: "u", Type: "\x00"},
		{Label: "\xff"}, {Label: "l", Mounts: mounts}, {Label: "l", Mounts: mounts[:wire.MaxMountsPerDisk]},
		{Label: "l", Mounts: []messages.Mount{{FSType: "x"}}}, {Label: "l", Mounts: []messages.Mount{{Path: "/", FSType: long}}},
	} {
		got, want := validDisk(&d), wire.ValidDisk(d)
		if (got == nil) != (want == nil) {
			t.Errorf("disk %+v: got %v, wire says %v", d, got, want)
		}
	}
}
