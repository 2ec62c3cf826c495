package actors

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"testing"
)

// golden is the expected outcome of one parser fixture: the parsed items,
// or, when parsing must fail, a substring of the error. The file holds a
// JSON list, or {"error": "..."}.
type golden[T any] struct {
	Items []T
	Error string
}

// writeGolden records what a parser returned, for -update.
func writeGolden[T any](t *testing.T, path string, items []T, err error) {
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

// readGolden reads a fixture's expected outcome; regen says how to create
// a missing one.
func readGolden[T any](t *testing.T, path, regen string) golden[T] {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run %s to create it)", err, regen)
	}
	var g golden[T]
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '[' {
		err = json.Unmarshal(b, &g.Items)
	} else {
		var e struct{ Error string }
		err = json.Unmarshal(b, &e)
		g.Error = e.Error
		if err == nil && g.Error == "" {
			err = fmt.Errorf(`want a list or {"error": "..."}`)
		}
	}
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return g
}
