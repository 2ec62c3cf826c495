package config

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// addSeeds adds every testdata file and a few hostile inputs to the corpus.
// More seeds live in testdata/fuzz/FuzzLoad.
func addSeeds(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*", "*.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"<<:\n? -",            // panicked gopkg.in/yaml.v3 v3.0.1
		"a: &a\n  b: *a\n",    // an alias inside its own anchor
		"log: &l {<<: *l}",    // a merge of itself
		"node: !!binary YQ==", // "a"
		"socket: !!str ~/x",
		"multicast: {port: !!int 0x10}",
		"blkid: {command: [!!binary /w==]}", // not UTF-8
		"announce: {interval: !!str 30s}",
		"*a: 1",
		"&a node: x\n*a : y",
		"socket_mode: 0660\nsocket_group: root", // an unquoted mode is its text
		"socket_mode: \"0666\"\nsocket_group: \"0\"",
		"socket_group: no-such-group",
	} {
		f.Add([]byte(s))
	}
}

// checkParsed is the property both fuzz targets check: no panic, and a
// Config that Parse accepts is valid and survives YAML and Parse unchanged.
func checkParsed(t *testing.T, c *Config, err error) {
	if err != nil {
		if c != nil {
			t.Fatalf("got a Config and error %v, want no Config", err)
		}
		if err.Error() == "" {
			t.Fatal("got an empty error message")
		}
		return
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("Parse succeeded but Validate: got %v, want no error", err)
	}
	b, err := c.YAML()
	if err != nil {
		t.Fatalf("YAML: got %v, want no error", err)
	}
	back, err := Parse(b)
	if err != nil {
		t.Fatalf("Parse(YAML()): got %v, want no error; YAML:\n%s", err, b)
	}
	if !reflect.DeepEqual(back, c) {
		t.Fatalf("Parse(YAML()): got %+v, want %+v; YAML:\n%s", back, c, b)
	}
}

func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		checkParsed(t, c, err)
	})
}

// FuzzLoad checks the same property through a file, which adds the size
// limit of the reader and the file name in errors.
func FuzzLoad(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "config.yaml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(path)
		checkParsed(t, c, err)
	})
}
