// Package golden checks parsers against fixture pairs: testdata/<case>.txt
// holds an input, <case>.golden.json what parsing it must give, either the
// parsed items (a JSON list) or, when parsing must fail, a substring of the
// error ({"error": "..."}). With -update the .golden.json files are written
// from what the parser returns, to be reviewed in the diff.
//
// It is shared by the tests of the blkid and mountinfo parsers, so that one
// reader and one writer define the fixture format.
package golden

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Cases returns the inputs in dir (testdata/*.txt), failing the test if
// there are none.
func Cases(t testing.TB, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("got %d cases (%v), want some in %s", len(files), err, dir)
	}
	return files
}

// Name is a case's name: its input file without directory and .txt.
func Name(input string) string { return strings.TrimSuffix(filepath.Base(input), ".txt") }

// Check compares what the parser returned for input (items, err) with the
// case's .golden.json, or rewrites that file when update is set. equal
// compares item lists; regen is the command that rewrites the fixtures,
// named when one is missing.
func Check[T any](t *testing.T, input string, items []T, err error, equal func(got, want []T) bool, update bool, regen string) {
	t.Helper()
	path := strings.TrimSuffix(input, ".txt") + ".golden.json"
	if update {
		write(t, path, items, err)
		return
	}
	want := read[T](t, path, regen)
	switch {
	case want.error != "":
		if err == nil || !strings.Contains(err.Error(), want.error) {
			t.Fatalf("got %+v, %v, want an error containing %q", items, err, want.error)
		}
	case err != nil:
		t.Fatalf("got error %v, want %+v", err, want.items)
	case !equal(items, want.items):
		t.Fatalf("got %+v, want %+v", items, want.items)
	}
}

// expected is the outcome a .golden.json holds: items, or an error.
type expected[T any] struct {
	items []T
	error string
}

// write records what a parser returned.
func write[T any](t *testing.T, path string, items []T, err error) {
	t.Helper()
	var v any = items
	if err != nil {
		v = map[string]string{"error": err.Error()}
	} else if items == nil {
		v = []T{}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// read reads a fixture's expected outcome; regen says how to create a
// missing one.
func read[T any](t *testing.T, path, regen string) expected[T] {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run %s to create it)", err, regen)
	}
	var g expected[T]
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '[' {
		err = json.Unmarshal(b, &g.items)
	} else {
		var e struct{ Error string }
		err = json.Unmarshal(b, &e)
		g.error = e.Error
		if err == nil && g.error == "" {
			err = fmt.Errorf(`want a list or {"error": "..."}`)
		}
	}
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return g
}
