package actors

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/diskd-actors/diskd-actors/messages"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/blkid/*.golden.json from what ParseBlkid returns")

// blkidCase reads the mode of a testdata/blkid case from its name,
// <format>_<raw|escaped>_<what>.
func blkidCase(t testing.TB, name string) (export, raw bool) {
	t.Helper()
	format, rest, _ := strings.Cut(name, "_")
	mode, _, _ := strings.Cut(rest, "_")
	if (format != "full" && format != "export") || (mode != "raw" && mode != "escaped") {
		t.Fatalf("case %q: name must start with full_ or export_, then raw_ or escaped_", name)
	}
	return format == "export", mode == "raw"
}

func blkidCases(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "blkid", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("got %d cases (%v), want some in testdata/blkid", len(files), err)
	}
	return files
}

func TestParseBlkid(t *testing.T) {
	for _, in := range blkidCases(t) {
		name := strings.TrimSuffix(filepath.Base(in), ".txt")
		t.Run(name, func(t *testing.T) {
			export, raw := blkidCase(t, name)
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			if got := blkidIsExport(strings.Split(string(data), "\n")); got != export && len(bytes.TrimSpace(data)) > 0 {
				t.Fatalf("detected export format %v, want %v as the name says", got, export)
			}
			disks, err := ParseBlkid(data, raw)
			goldenPath := strings.TrimSuffix(in, ".txt") + ".golden.json"
			if *updateGolden {
				writeGolden(t, goldenPath, disks, err)
				return
			}
			want := readGolden[messages.Disk](t, goldenPath, "go test ./actors -run TestParseBlkid -update")
			if want.Error != "" {
				if err == nil || !strings.Contains(err.Error(), want.Error) {
					t.Fatalf("got %v, %v, want an error containing %q", disks, err, want.Error)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want %v", err, want.Items)
			}
			if !messages.DisksEqual(disks, want.Items) {
				t.Fatalf("got %+v, want %+v", disks, want.Items)
			}
		})
	}
}

// blkidEncode prints v as blkid (util-linux 2.38 safe_print) does without
// -d: esc is blkidFullEsc or blkidExportEsc.
func blkidEncode(v, esc string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		ch := v[i]
		if ch >= 128 {
			b.WriteString("M-")
			ch -= 128
		}
		if ch < 32 || ch == 0x7f {
			b.WriteByte('^')
			ch ^= 0x40
		}
		if strings.IndexByte(esc, ch) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(ch)
	}
	return b.String()
}

// blkidOutput prints one device with label and uuid in every format.
func blkidOutput(label, uuid string) map[string][]byte {
	return map[string][]byte{
		"full_escaped":   fmt.Appendf(nil, "/dev/sdz1: LABEL=\"%s\" UUID=\"%s\" TYPE=\"ext4\"\n", blkidEncode(label, blkidFullEsc), uuid),
		"export_escaped": fmt.Appendf(nil, "DEVNAME=/dev/sdz1\nLABEL=%s\nUUID=%s\nTYPE=ext4\n", blkidEncode(label, blkidExportEsc), uuid),
		"full_raw":       fmt.Appendf(nil, "/dev/sdz1: LABEL=\"%s\" UUID=\"%s\" TYPE=\"ext4\"\n", label, uuid),
		"export_raw":     fmt.Appendf(nil, "DEVNAME=/dev/sdz1\nLABEL=%s\nUUID=%s\nTYPE=ext4\n", label, uuid),
	}
}

// blkidAmbiguous reports labels whose encoding may read back otherwise: a
// literal "M-"; a literal "^", which can pair with what follows it ("^A",
// or "^M" of "M-"); a carriage return before "-", printed "^M-".
func blkidAmbiguous(label string) bool {
	return strings.Contains(label, "M-") || strings.Contains(label, "^") || strings.Contains(label, "\r-")
}

func TestParseBlkid_RoundTrip(t *testing.T) {
	labels := []string{
		"plain", "bäck \"up\" 1", "café", "💾 a\\b$c", "Ê", "`x'<y> $HOME", "tab\there",
		"line\nbreak", "del\x7f", "nul\x00byte", "\u0080\u07ff\u0800\uffff\U00010000\U0010ffff",
		"STEAM-LIBRARY", "A-M", "M", "^", "2^3", "x^", "^é", "\\\"", "Þ\u0780", "\u00ad-\u00cd\u0340",
		"ends with M", "ends with \\", " ", "日本語ラベル", "a  b",
	}
	for _, label := range labels {
		for format, out := range blkidOutput(label, "1234-ABCD") {
			raw := strings.HasSuffix(format, "_raw")
			if raw && strings.Contains(label, "\n") && strings.HasPrefix(format, "full") {
				continue // a raw full-format line cannot hold a newline
			}
			got, err := ParseBlkid(out, raw)
			want := []messages.Disk{{UUID: "1234-ABCD", Label: label, Device: "/dev/sdz1", Type: "ext4"}}
			if err != nil || !messages.DisksEqual(got, want) {
				t.Errorf("%s %q: got %+v, %v, want %+v", format, out, got, err, want)
			}
		}
	}
}

// TestParseBlkid_Ambiguous pins how encoded sequences that a label could
// also hold literally are read.
func TestParseBlkid_Ambiguous(t *testing.T) {
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
		got, err := ParseBlkid(out, false)
		if err != nil || len(got) != 1 || got[0].Label != c.want {
			t.Errorf("%q: got %+v, %v, want label %q", c.printed, got, err, c.want)
		}
	}
}

func TestParseBlkid_Limits(t *testing.T) {
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
		got, err := ParseBlkid(c.out, c.raw)
		switch {
		case c.wantErr == "" && (err != nil || len(got) != c.wantN):
			t.Errorf("%s: got %d disks, %v, want %d disks", c.name, len(got), err, c.wantN)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: got %d disks, %v, want an error containing %q", c.name, len(got), err, c.wantErr)
		}
	}
}

// FuzzParseBlkid checks that no input panics and that what is accepted
// keeps the promises callers rely on. Seeds: the testdata/blkid cases in
// both modes, and testdata/fuzz/FuzzParseBlkid.
func FuzzParseBlkid(f *testing.F) {
	for _, in := range blkidCases(f) {
		data, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, false)
		f.Add(data, true)
	}
	f.Fuzz(func(t *testing.T, out []byte, raw bool) {
		disks, err := ParseBlkid(out, raw)
		if err != nil {
			if disks != nil {
				t.Fatalf("got %v with error %v, want no disks", disks, err)
			}
			return
		}
		if len(disks) > maxBlkidDevices {
			t.Fatalf("got %d disks, want at most %d", len(disks), maxBlkidDevices)
		}
		for i, d := range disks {
			for _, v := range []string{d.UUID, d.Label, d.Device, d.Type} {
				if !utf8.ValidString(v) || len(v) > maxBlkidValue {
					t.Fatalf("got field %q of %+v, want valid UTF-8 of at most %d bytes", v, d, maxBlkidValue)
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

// FuzzParseBlkid_RoundTrip checks that a label printed by blkid reads back
// exactly, in every format, unless the label itself looks encoded.
func FuzzParseBlkid_RoundTrip(f *testing.F) {
	for _, s := range []string{"bäck \"up\" 1", "💾 a\\b$c", "Ê\nx", "STEAM-LIBRARY", "^é", "\u0780\u0340"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, label string) {
		if label == "" || len(label) > maxBlkidValue || !utf8.ValidString(label) || blkidAmbiguous(label) {
			return
		}
		for _, format := range []string{"full_escaped", "export_escaped"} {
			got, err := ParseBlkid(blkidOutput(label, "u")[format], false)
			if err != nil || len(got) != 1 || got[0].Label != label {
				t.Fatalf("%s: got %+v, %v, want label %q", format, got, err, label)
			}
		}
	})
}
