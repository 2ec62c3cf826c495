package blkid

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/diskd-actors/diskd-actors/actors/internal/golden"
	"github.com/diskd-actors/diskd-actors/messages"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from what Parse returns")

// caseMode reads the mode of a testdata case from its name,
// <format>_<raw|escaped>_<what>.
func caseMode(t testing.TB, name string) (export, raw bool) {
	t.Helper()
	format, rest, _ := strings.Cut(name, "_")
	mode, _, _ := strings.Cut(rest, "_")
	if (format != "full" && format != "export") || (mode != "raw" && mode != "escaped") {
		t.Fatalf("case %q: name must start with full_ or export_, then raw_ or escaped_", name)
	}
	return format == "export", mode == "raw"
}

func TestParse(t *testing.T) {
	for _, in := range golden.Cases(t, "testdata") {
		name := golden.Name(in)
		t.Run(name, func(t *testing.T) {
			export, raw := caseMode(t, name)
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			if got := isExport(strings.Split(string(data), "\n")); got != export && len(bytes.TrimSpace(data)) > 0 {
				t.Fatalf("detected export format %v, want %v as the name says", got, export)
			}
			disks, err := Parse(data, raw)
			if err != nil {
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("got error %T %v, want a *ParseError", err, err)
				}
			}
			golden.Check(t, in, disks, err, messages.DisksEqual, *update, "go test ./actors/blkid -run TestParse -update")
		})
	}
}

// formats are the four ways blkid prints, by the names of testdata cases.
var formats = map[string]Format{"full_escaped": Full, "export_escaped": Export, "full_raw": Full | Raw, "export_raw": Export | Raw}

// oneDisk prints one device with label and uuid in format f.
func oneDisk(label, uuid string, f Format) []byte {
	return Encode([]messages.Disk{{Device: "/dev/sdz1", Label: label, UUID: uuid, Type: "ext4"}}, f)
}

// looksEncoded reports labels whose encoding may read back otherwise: a
// literal "M-"; a literal "^", which can pair with what follows it ("^A",
// or "^M" of "M-"); a carriage return before "-", printed "^M-".
func looksEncoded(label string) bool {
	return strings.Contains(label, "M-") || strings.Contains(label, "^") || strings.Contains(label, "\r-")
}

func TestParse_RoundTrip(t *testing.T) {
	labels := []string{
		"plain", "bäck \"up\" 1", "café", "💾 a\\b$c", "Ê", "`x'<y> $HOME", "tab\there",
		"line\nbreak", "del\x7f", "nul\x00byte", "\u0080\u07ff\u0800\uffff\U00010000\U0010ffff",
		"STEAM-LIBRARY", "A-M", "M", "^", "2^3", "x^", "^é", "\\\"", "Þ\u0780", "\u00ad-\u00cd\u0340",
		"ends with M", "ends with \\", " ", "日本語ラベル", "a  b",
	}
	for _, label := range labels {
		for format, f := range formats {
			out := oneDisk(label, "1234-ABCD", f)
			raw := f&Raw != 0
			if f == Full|Raw && strings.Contains(label, "\n") {
				continue // a raw full-format line cannot hold a newline
			}
			got, err := Parse(out, raw)
			want := []messages.Disk{{UUID: "1234-ABCD", Label: label, Device: "/dev/sdz1", Type: "ext4"}}
			if err != nil || !messages.DisksEqual(got, want) {
				t.Errorf("%s %q: got %+v, %v, want %+v", format, out, got, err, want)
			}
		}
	}
}

// TestParse_Ambiguous pins how encoded sequences that a label could
// also hold literally are read.
func TestParse_Ambiguous(t *testing.T) {
	for _, c := range []struct{ printed, want string }{
		{"PROGRAM-DATA", "PROGRAM-DATA"}, // 0xC4 'A' is not UTF-8: literal
		{"M-CM-)", "é"},                  // could be literal, decoded
		{"x^Ay", "x\x01y"},               // could be literal, decoded
		{"^M-CM-)", "^é"},                // not "\r-C" + literal "M-)"
		{"^M-^M-0", "^\u07b0"},           // could be "\r-\r-0": fewer literal "M-" wins
		{"M-^M-CM-)", "M-^é"},            // 0xDE needs a continuation: literal
		{"M-^J", "M-\n"},                 // a lone continuation byte: literal "M-"
		{"SYSTEM-M-CM-^D", "SYSTEM-Ä"},   // literal "M-" then an encoded Ä
		{"M-oM-;M-?", "\ufeff"},          // BOM
		{"M-mM- M-^@", "M-mM- M-\x00"},   // ED A0 80 would be a surrogate: literal "M-"
	} {
		out := fmt.Appendf(nil, "/dev/sdz1: LABEL=\"%s\"\n", c.printed)
		got, err := Parse(out, false)
		if err != nil || len(got) != 1 || got[0].Label != c.want {
			t.Errorf("%q: got %+v, %v, want label %q", c.printed, got, err, c.want)
		}
	}
}

func TestParse_Limits(t *testing.T) {
	devices := func(n int) []byte {
		var b bytes.Buffer
		for i := range n {
			fmt.Fprintf(&b, "/dev/sd%05d: UUID=\"%08x\"\n", i, i)
		}
		return b.Bytes()
	}
	// padded is one device after a blank line, size bytes in all.
	padded := func(size int) []byte {
		dev := "/dev/sda1: UUID=\"u\"\n"
		return append(append(bytes.Repeat([]byte(" "), size-len(dev)-1), '\n'), dev...)
	}
	label := func(printed string) []byte {
		return fmt.Appendf(nil, "/dev/sda1: LABEL=\"%s\"\n", printed)
	}
	for _, c := range []struct {
		name    string
		out     []byte
		raw     bool
		wantErr string // "" for success
		wantN   int
	}{
		{"4096 devices", devices(4096), false, "", 4096},
		{"4097 devices", devices(4097), false, "more than 4096 devices", 0},
		{"label of 256 bytes", label(strings.Repeat("x", 256)), false, "", 1},
		{"label of 257 bytes", label(strings.Repeat("x", 257)), false, "LABEL is longer than 256 bytes", 0},
		{"raw label of 257 bytes", label(strings.Repeat("x", 257)), true, "LABEL is longer than 256 bytes", 0},
		{"encoded label of 256 bytes", label(strings.Repeat("M-CM-)", 128)), false, "", 1},
		{"encoded label of 258 bytes", label(strings.Repeat("M-CM-)", 129)), false, "longer than 256 bytes", 0},
		{"printed label of 100000 bytes", label(strings.Repeat("M-^@", 25000)), false, "LABEL: longer than 256 bytes", 0},
		{"ignored key of 257 bytes", fmt.Appendf(nil, "/dev/sda1: UUID=\"u\" X=\"%s\"\n", strings.Repeat("x", 257)), false, "X is longer than 256 bytes", 0},
		{"device name of 257 bytes", fmt.Appendf(nil, "/dev/%s: UUID=\"u\"\n", strings.Repeat("x", 252)), false, "device name is longer than 256 bytes", 0},
		{"raw continuation past 256 bytes", fmt.Appendf(nil, "DEVNAME=/dev/sda1\nLABEL=a\n%s\n", strings.Repeat("x", 255)), true, "LABEL is longer than 256 bytes", 0},
		{"output of 4 MiB", padded(4 << 20), false, "", 1},
		{"output of 4 MiB + 1", padded(4<<20 + 1), false, "more than the limit of 4194304", 0},
	} {
		got, err := Parse(c.out, c.raw)
		switch {
		case c.wantErr == "" && (err != nil || len(got) != c.wantN):
			t.Errorf("%s: got %d disks, %v, want %d disks", c.name, len(got), err, c.wantN)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: got %d disks, %v, want an error containing %q", c.name, len(got), err, c.wantErr)
		}
	}
}

// FuzzParse checks that no input panics and that what is accepted
// keeps the promises callers rely on. Seeds: the testdata cases in
// both modes, and testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, in := range golden.Cases(f, "testdata") {
		data, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, false)
		f.Add(data, true)
	}
	f.Fuzz(func(t *testing.T, out []byte, raw bool) {
		disks, err := Parse(out, raw)
		if err != nil {
			if disks != nil {
				t.Fatalf("got %v with error %v, want no disks", disks, err)
			}
			return
		}
		if len(disks) > maxDevices {
			t.Fatalf("got %d disks, want at most %d", len(disks), maxDevices)
		}
		for i, d := range disks {
			for _, v := range []string{d.UUID, d.Label, d.Device, d.Type} {
				if !utf8.ValidString(v) || len(v) > maxValue {
					t.Fatalf("got field %q of %+v, want valid UTF-8 of at most %d bytes", v, d, maxValue)
				}
			}
			if d.Device == "" || d.UUID == "" && d.Label == "" {
				t.Fatalf("got %+v, want a device and a UUID or a label", d)
			}
			if i > 0 && disks[i-1].Device >= d.Device {
				t.Fatalf("got %q before %q, want sorted unique devices", disks[i-1].Device, d.Device)
			}
		}
	})
}

// FuzzParse_RoundTrip checks that a label printed by blkid reads back
// exactly, in every format, unless the label itself looks encoded.
func FuzzParse_RoundTrip(f *testing.F) {
	for _, s := range []string{"bäck \"up\" 1", "💾 a\\b$c", "Ê\nx", "STEAM-LIBRARY", "^é", "\u0780\u0340"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, label string) {
		if label == "" || len(label) > maxValue || !utf8.ValidString(label) || looksEncoded(label) {
			return
		}
		for _, format := range []Format{Full, Export} {
			got, err := Parse(oneDisk(label, "u", format), false)
			if err != nil || len(got) != 1 || got[0].Label != label {
				t.Fatalf("format %d: got %+v, %v, want label %q", format, got, err, label)
			}
		}
	})
}
