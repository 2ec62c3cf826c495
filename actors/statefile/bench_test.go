package statefile

import (
	"bytes"
	"io"
	"path/filepath"
	"testing"
	"time"
)

// Benchmarks for docs/benchmarks.md: 1,000 peers × 100 disks, a sighting
// for each disk (100,000).

func BenchmarkSave_1000x100(b *testing.B) {
	s := bigSnapshot(1000, 100)
	path := filepath.Join(b.TempDir(), "state.json")
	var n int64
	for b.Loop() {
		var err error
		if n, err = Save(path, s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/(1<<20), "MiB")
}

func BenchmarkEncode_1000x100(b *testing.B) {
	s := bigSnapshot(1000, 100)
	for b.Loop() {
		if err := Encode(io.Discard, s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoad_1000x100(b *testing.B) {
	path := filepath.Join(b.TempDir(), "state.json")
	if _, err := Save(path, bigSnapshot(1000, 100)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if s, _, err := Load(path, time.Time{}); err != nil || len(s.Peers) != 1000 {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadYAML_1000x100(b *testing.B) {
	data := encodeYAML(b, bigSnapshot(1000, 100))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if s, legacy, err := Decode(bytes.Clone(data)); err != nil || !legacy || len(s.Peers) != 1000 {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode_HostileYAML: the alias and billion-laughs fixtures must
// stay cheap (this was a timing assertion in a test before).
func BenchmarkDecode_HostileYAML(b *testing.B) {
	fx := yamlFixtures(b)
	for _, name := range []string{"invalid_alias_bomb.yaml", "invalid_billion_laughs.yaml"} {
		data := fx[name]
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := Decode(data); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}
