package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// walkVisits runs the check of Load's decoder over the file at path and
// returns how many values it visited and how many nodes the document has
// as written (aliases unexpanded): a bound on the work of Load. A file
// that does not parse as YAML visits nothing.
func walkVisits(t *testing.T, path string) (visits, nodes int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) != 1 {
		return 0, 0
	}
	var count func(*yaml.Node)
	count = func(n *yaml.Node) {
		nodes++
		for _, c := range n.Content {
			count(c)
		}
	}
	count(&doc)
	w := &walker{lines: map[string]int{}, active: map[*yaml.Node]bool{}}
	w.value(doc.Content[0], reflect.TypeFor[Config](), "")
	return w.visits, nodes
}

// BenchmarkLoad_invalid times Load on each invalid file, hostile ones
// (alias and merge bombs) among them: the figure TestLoad_invalid used to
// bound at 2 s.
//
//	go test -run '^$' -bench Load_invalid ./config
func BenchmarkLoad_invalid(b *testing.B) {
	files, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.yaml"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no testdata/invalid/*.yaml: %v", err)
	}
	for _, path := range files {
		b.Run(strings.TrimSuffix(filepath.Base(path), ".yaml"), func(b *testing.B) {
			for b.Loop() {
				if _, err := Load(path); err == nil {
					b.Fatalf("%s: no error", path)
				}
			}
		})
	}
}
