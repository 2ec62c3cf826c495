package golden

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type item struct {
	Name string `json:"name"`
	N    int    `json:"n"`
}

func fixture(t *testing.T, dir, name, input, golden string) string {
	t.Helper()
	in := filepath.Join(dir, name+".txt")
	if err := os.WriteFile(in, []byte(input), 0o644); err != nil {
		t.Fatal(err)
	}
	if golden != "" {
		if err := os.WriteFile(filepath.Join(dir, name+".golden.json"), []byte(golden), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return in
}

func TestName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"testdata/basic.txt", "basic"},
		{"/a/b/with.dots.txt", "with.dots"},
		{"plain", "plain"},
	} {
		t.Run(c.in, func(t *testing.T) {
			if got := Name(c.in); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestCases_listsInputsOnly(t *testing.T) {
	dir := t.TempDir()
	fixture(t, dir, "b", "", "[]")
	fixture(t, dir, "a", "", "[]")
	if err := os.WriteFile(filepath.Join(dir, "notes.md"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	got := Cases(t, dir)
	want := []string{filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// What -update writes, Check accepts: items, an empty list, an error.
func TestCheck_updateThenCheck(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name  string
		items []item
		err   error
		file  string
	}{
		{"items", []item{{"a", 1}, {"<b&c>", 2}}, nil, "[\n  {\n    \"name\": \"a\",\n    \"n\": 1\n  },\n  {\n    \"name\": \"<b&c>\",\n    \"n\": 2\n  }\n]\n"},
		{"nil items are an empty list", nil, nil, "[]\n"},
		{"error", nil, errors.New("line 3: bad field"), "{\n  \"error\": \"line 3: bad field\"\n}\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := fixture(t, dir, strings.ReplaceAll(c.name, " ", "_"), "x", "")
			Check(t, in, c.items, c.err, slices.Equal[[]item], true, "regen")
			b, err := os.ReadFile(strings.TrimSuffix(in, ".txt") + ".golden.json")
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != c.file {
				t.Errorf("got %q, want %q", b, c.file)
			}
			Check(t, in, c.items, c.err, slices.Equal[[]item], false, "regen")
		})
	}
}

// An error fixture holds a substring of the error, so that a message may
// gain context without rewriting every fixture.
func TestCheck_errorIsASubstring(t *testing.T) {
	in := fixture(t, t.TempDir(), "e", "x", `{"error": "bad field"}`)
	Check(t, in, []item(nil), errors.New("config: line 3: bad field \"x\""), slices.Equal[[]item], false, "regen")
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name      string
		golden    string
		wantItems []item
		wantError string
	}{
		{"list", `[{"name":"a","n":1}]`, []item{{"a", 1}}, ""},
		{"list after whitespace", "\n  [ ]\n", []item{}, ""},
		{"error", `{"error":"boom"}`, nil, "boom"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".golden.json")
			if err := os.WriteFile(p, []byte(c.golden), 0o644); err != nil {
				t.Fatal(err)
			}
			got := read[item](t, p, "regen")
			if !slices.Equal(got.items, c.wantItems) || got.error != c.wantError {
				t.Errorf("got %+v %q, want %+v %q", got.items, got.error, c.wantItems, c.wantError)
			}
		})
	}
}

// The failing outcomes of Check run in a child test process (a failed
// test cannot be observed from inside): each must fail, and say why.
func TestCheck_failures(t *testing.T) {
	if os.Getenv("GOLDEN_CHILD") != "" {
		childCase(t, os.Getenv("GOLDEN_CHILD"), os.Getenv("GOLDEN_DIR"))
		return
	}
	for _, c := range []struct {
		name string
		want string
	}{
		{"mismatch", "want [{Name:a N:1}]"},
		{"want error, got items", `want an error containing "boom"`},
		{"error does not match", `want an error containing "boom"`},
		{"want items, got error", "got error nope, want [{Name:a N:1}]"},
		{"missing fixture", "run go test -update to create it"},
		{"fixture neither list nor error", `want a list or {"error": "..."}`},
		{"fixture not JSON", "invalid character"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestCheck_failures$", "-test.count=1")
			cmd.Env = append(os.Environ(), "GOLDEN_CHILD="+c.name, "GOLDEN_DIR="+t.TempDir())
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("got %v, want the child test to fail\n%s", err, out)
			}
			if !strings.Contains(string(out), c.want) {
				t.Errorf("got output\n%s\nwant it to contain %q", out, c.want)
			}
		})
	}
}

func childCase(t *testing.T, name, dir string) {
	one := []item{{"a", 1}}
	check := func(golden string, items []item, err error) {
		in := fixture(t, dir, "c", "x", golden)
		Check(t, in, items, err, slices.Equal[[]item], false, "go test -update")
	}
	switch name {
	case "mismatch":
		check(`[{"name":"a","n":1}]`, []item{{"a", 2}}, nil)
	case "want error, got items":
		check(`{"error":"boom"}`, one, nil)
	case "error does not match":
		check(`{"error":"boom"}`, nil, errors.New("bang"))
	case "want items, got error":
		check(`[{"name":"a","n":1}]`, nil, errors.New("nope"))
	case "missing fixture":
		check("", one, nil)
	case "fixture neither list nor error":
		check(`{"other": 1}`, one, nil)
	case "fixture not JSON":
		check(`{nope`, one, nil)
	default:
		t.Fatalf("unknown child case %q", name)
	}
}
