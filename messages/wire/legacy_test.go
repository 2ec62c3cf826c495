package wire

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/diskd-actors/diskd-actors/messages"
)

const legacyDir = "testdata/legacy"

func readLegacy(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(legacyDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// wantDropReason asserts that err is a *DropError with the given reason.
func wantDropReason(t *testing.T, err error, reason string) {
	t.Helper()
	var de *DropError
	if !errors.As(err, &de) {
		t.Fatalf("error %v (%T), want *DropError %q", err, err, reason)
	}
	if de.Reason != reason {
		t.Fatalf("reason %q (%v), want %q", de.Reason, de, reason)
	}
}

var capturedDisks = []messages.Disk{
	{UUID: "11111112-aaaa-bbbb-cccc-000000000002", Label: "host2-root", Device: "/dev/sd2a1"},
	{UUID: "22222222-aaaa-bbbb-cccc-000000000002", Label: "backup 2", Device: "/dev/sd2b1"},
}

// Every fixture in testdata/legacy, with what DecodeLegacy must make of it.
// A nil want with no reason means zero disks.
var legacyFixtures = map[string]struct {
	want   []messages.Disk
	reason string
}{
	"valid-captured.txt": {want: capturedDisks},
	"valid-nulls.txt": {want: []messages.Disk{
		{Label: "data", Device: "/dev/sdc1"},
		{UUID: "33333333-aaaa-bbbb-cccc-000000000003"},
		// [~, ~, /dev/loop0] is skipped; [null, 'null', <empty>] keeps the quoted label.
		{Label: "null"},
	}},
	"valid-numeric.txt": {want: []messages.Disk{
		{UUID: "2019", Label: "yes", Device: "/dev/sda1"},
		{UUID: "1e3", Label: "0x1F", Device: "true"},
		{UUID: "2019-01-01", Label: "012", Device: ".inf"},
	}},
	"valid-unicode.txt": {want: []messages.Disk{
		{UUID: "44444444-aaaa-bbbb-cccc-000000000004", Label: "Sauvegarde été", Device: "/dev/sdd1"},
		{UUID: "55555555-aaaa-bbbb-cccc-000000000005", Label: "😀 photos", Device: "/dev/sde1"},
		{UUID: "66666666-aaaa-bbbb-cccc-000000000006", Label: "写真 😀", Device: "/dev/sdf1"},
	}},
	"valid-yamlxs-quoting.txt": {want: []messages.Disk{
		{UUID: "u1", Label: "2019", Device: "/dev/a"},
		{UUID: "u2", Device: "/dev/b"},
		{Label: "a: b", Device: "/dev/c"},
		{UUID: "u4", Label: "it's ~", Device: "tab\there"},
	}},
	"valid-empty-list.txt": {},
	"valid-flow.txt":       {want: []messages.Disk{{UUID: "a", Label: "b", Device: "c"}, {Label: "d", Device: "e"}}},

	"invalid-list-of-scalars.txt":       {reason: DropLegacyInvalid},
	"invalid-unclosed.txt":              {reason: DropLegacyInvalid},
	"invalid-mapping.txt":               {reason: DropLegacyInvalid},
	"invalid-scalar.txt":                {reason: DropLegacyInvalid},
	"invalid-empty.txt":                 {reason: DropLegacyInvalid},
	"invalid-empty-document.txt":        {reason: DropLegacyInvalid},
	"invalid-no-prefix.txt":             {reason: DropLegacyInvalid},
	"invalid-alias-bomb-mapping.txt":    {reason: DropLegacyInvalid},
	"invalid-alias-bomb-sequence.txt":   {reason: DropLegacyInvalid},
	"invalid-alias-record.txt":          {reason: DropLegacyInvalid},
	"invalid-alias-scalar.txt":          {reason: DropLegacyInvalid},
	"invalid-deep-nesting.txt":          {reason: DropLegacyInvalid},
	"invalid-nested-record.txt":         {reason: DropLegacyInvalid},
	"invalid-record-entry-sequence.txt": {reason: DropLegacyInvalid},
	"invalid-record-of-2.txt":           {reason: DropLegacyInvalid},
	"invalid-record-of-4.txt":           {reason: DropLegacyInvalid},
	"invalid-record-mapping.txt":        {reason: DropLegacyInvalid},
	"invalid-binary.txt":                {reason: DropLegacyInvalid},
	"invalid-utf16-bom.txt":             {reason: DropLegacyInvalid},
	"invalid-second-document.txt":       {reason: DropLegacyInvalid},
	"invalid-explicit-tag.txt":          {reason: DropLegacyInvalid},
	"invalid-tagged-sequence.txt":       {reason: DropLegacyInvalid},
	"invalid-too-many-records.txt":      {reason: DropLegacyInvalid},
	"invalid-long-label.txt":            {reason: DropLegacyInvalid},
	"invalid-nul.txt":                   {reason: DropLegacyInvalid},
	"invalid-merge-key.txt":             {reason: DropLegacyInvalid},
}

func TestDecodeLegacyFixtures(t *testing.T) {
	names, err := filepath.Glob(filepath.Join(legacyDir, "*.txt"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	seen := map[string]bool{}
	for _, path := range names {
		name := filepath.Base(path)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			tc, ok := legacyFixtures[name]
			if !ok {
				t.Fatal("fixture has no expectation in legacyFixtures")
			}
			if strings.HasPrefix(name, "valid-") == (tc.reason != "") {
				t.Fatal("a valid- fixture must decode, an invalid- one must not")
			}
			got, err := DecodeLegacy(readLegacy(t, name))
			if tc.reason != "" {
				wantDropReason(t, err, tc.reason)
				if got != nil {
					t.Errorf("got disks %v with an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !messages.DisksEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
			for _, d := range got {
				if err := ValidDisk(d); err != nil || d.Type != "" {
					t.Errorf("disk %+v: %v, type %q", d, err, d.Type)
				}
			}
		})
	}
	for name := range legacyFixtures {
		if !seen[name] {
			t.Errorf("%s listed but missing from %s", name, legacyDir)
		}
	}
}

func TestDecodeLegacyLimits(t *testing.T) {
	t.Run("oversize", func(t *testing.T) {
		b := []byte(LegacyPrefix + "[[a, b, " + strings.Repeat("c", MaxLegacyDatagram) + "]]")
		_, err := DecodeLegacy(b)
		wantDropReason(t, err, DropOversize)
	})
	t.Run("exactly MaxLegacyDatagram", func(t *testing.T) {
		head := LegacyPrefix + "[[a, b, "
		b := []byte(head + strings.Repeat("c", MaxLegacyDatagram-len(head)-2) + "]]")
		if len(b) != MaxLegacyDatagram {
			t.Fatal(len(b))
		}
		_, err := DecodeLegacy(b)
		wantDropReason(t, err, DropLegacyInvalid) // device > MaxField, but not oversize
	})
	t.Run("MaxLegacyDisks records", func(t *testing.T) {
		b := []byte(LegacyPrefix + "[" + strings.Repeat("[a,b,c],", MaxLegacyDisks-1) + "[a,b,c]]")
		got, err := DecodeLegacy(b)
		if err != nil || len(got) != MaxLegacyDisks {
			t.Fatalf("%d disks, %v", len(got), err)
		}
	})
	t.Run("nil and short", func(t *testing.T) {
		for _, b := range [][]byte{nil, {}, []byte("d"), []byte("diskd"), []byte("DISKD:[]")} {
			_, err := DecodeLegacy(b)
			wantDropReason(t, err, DropLegacyInvalid)
		}
	})
}

func TestEncodeLegacyCaptured(t *testing.T) {
	got, err := EncodeLegacy(capturedDisks)
	if err != nil {
		t.Fatal(err)
	}
	if want := readLegacy(t, "valid-captured.txt"); string(got) != string(want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestEncodeLegacyShapes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		disks []messages.Disk
		want  string
	}{
		{"empty", nil, "diskd:--- []\n"},
		{"nulls", []messages.Disk{{Label: "x"}, {UUID: "u", Device: "/dev/a"}},
			"diskd:---\n- - ~\n  - x\n  - ~\n- - u\n  - ~\n  - /dev/a\n"},
		{"quoting", []messages.Disk{{UUID: "123", Label: "~", Device: "null"}},
			"diskd:---\n- - \"123\"\n  - \"~\"\n  - \"null\"\n"},
		{"type and mounts dropped", []messages.Disk{{UUID: "u", Type: "ext4", Mounts: []messages.Mount{{Path: "/m"}}}},
			"diskd:---\n- - u\n  - ~\n  - ~\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := EncodeLegacy(tc.disks)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestEncodeLegacyErrors(t *testing.T) {
	many := make([]messages.Disk, MaxLegacyDisks+1)
	for i := range many {
		many[i] = messages.Disk{UUID: "u"}
	}
	big := make([]messages.Disk, 30)
	for i := range big {
		big[i] = messages.Disk{UUID: "11111112-aaaa-bbbb-cccc-000000000002", Label: "label", Device: "/dev/sda1"}
	}
	for name, disks := range map[string][]messages.Disk{"too many": many, "too large": big} {
		b, err := EncodeLegacy(disks)
		if !errors.Is(err, ErrLegacyTooLarge) || b != nil {
			t.Errorf("%s: %d bytes, %v; want ErrLegacyTooLarge and no datagram", name, len(b), err)
		}
	}
	for name, d := range map[string]messages.Disk{
		"no id":    {Device: "/dev/a"},
		"bad utf8": {UUID: "u", Label: "\xff"},
		"nul":      {UUID: "u\x00"},
	} {
		b, err := EncodeLegacy([]messages.Disk{d})
		if err == nil || errors.Is(err, ErrLegacyTooLarge) || b != nil {
			t.Errorf("%s: %q, %v; want a validation error", name, b, err)
		}
	}
}

var awkwardLabels = []string{
	"backup 2", "two  spaces", " lead", "trail ", `say "hi"`, "it's", `'`, `"`, "a: b", "a:b", ":",
	"#hash", "a #b", "a#b", "-x", "- x", "-", "--- x", "...", "?", "? x", "yes", "no", "on", "off", "true",
	"False", "null", "Null", "~", "123", "-1", "0x1F", "012", "1e3", ".inf", ".nan", "1:20", "2019-01-01",
	"é", "😀", "写真 😀", "x\u00a0y", "\ufeffbom", "nel\u0085x", "ls\u2028x", "tab\there",
	"line\nbreak", "trailing\n", "\n", "cr\r\n", "ctl\x01\x7f", "back\\slash", "[x]", "{x}", "*a", "&a",
	"!tag", "%x", "@x", "`x", "|", ">", ",", "<<", "=", strings.Repeat("long label ", 23),
}

func TestLegacyRoundTrip(t *testing.T) {
	for _, label := range awkwardLabels {
		disks := []messages.Disk{
			{UUID: "11111112-aaaa-bbbb-cccc-000000000002", Label: label, Device: "/dev/sda1"},
			{Label: label},
			{UUID: label, Device: label},
		}
		b, err := EncodeLegacy(disks)
		if err != nil {
			t.Errorf("%q: %v", label, err)
			continue
		}
		got, err := DecodeLegacy(b)
		if err != nil {
			t.Errorf("%q: %v\n%s", label, err, b)
			continue
		}
		if !messages.DisksEqual(got, disks) {
			t.Errorf("%q: got %+v\n%s", label, got, b)
		}
	}
}

func FuzzDecodeLegacy(f *testing.F) {
	names, err := filepath.Glob(filepath.Join(legacyDir, "*.txt"))
	if err != nil || len(names) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	for _, path := range names {
		f.Add(readLegacy(f, filepath.Base(path)))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		disks, err := DecodeLegacy(b)
		if err != nil {
			var de *DropError
			if !errors.As(err, &de) || de.Reason != DropLegacyInvalid && de.Reason != DropOversize {
				t.Fatalf("error %v (%T)", err, err)
			}
			return
		}
		if len(disks) > MaxLegacyDisks {
			t.Fatalf("%d disks", len(disks))
		}
		for _, d := range disks {
			if err := ValidDisk(d); err != nil || d.Type != "" || d.Mounts != nil {
				t.Fatalf("disk %+v: %v", d, err)
			}
		}
		enc, err := EncodeLegacy(disks)
		if errors.Is(err, ErrLegacyTooLarge) {
			return
		}
		if err != nil {
			t.Fatalf("re-encode %+v: %v", disks, err)
		}
		back, err := DecodeLegacy(enc)
		if err != nil || !messages.DisksEqual(back, disks) {
			t.Fatalf("round trip: %+v -> %q -> %+v, %v", disks, enc, back, err)
		}
	})
}

func BenchmarkDecodeLegacy_AliasBomb(b *testing.B) {
	for _, name := range []string{"invalid-alias-bomb-mapping.txt", "invalid-alias-bomb-sequence.txt"} {
		data := readLegacy(b, name)
		b.Run(strings.TrimSuffix(name, ".txt"), func(b *testing.B) {
			for b.Loop() {
				if _, err := DecodeLegacy(data); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}

func BenchmarkDecodeLegacy_Captured(b *testing.B) {
	data := readLegacy(b, "valid-captured.txt")
	for b.Loop() {
		if _, err := DecodeLegacy(data); err != nil {
			b.Fatal(err)
		}
	}
}
