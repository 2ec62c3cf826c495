package config

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// testKey is a valid key of 17 bytes, so that its base64 has padding.
var (
	testKeyBytes = []byte("0123456789abcdefg")
	testKey      = base64.StdEncoding.EncodeToString(testKeyBytes)
)

// writeKeyFile writes content to a new file of the given mode and returns
// its path.
func writeKeyFile(t *testing.T, name, content string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // not subject to the umask
		t.Fatal(err)
	}
	return path
}

func TestKeyring_none(t *testing.T) {
	keys, err := Default().Keyring()
	if err != nil || keys != nil {
		t.Errorf("got %q, %v; want no keys and no error", keys, err)
	}
}

func TestKeyring_order(t *testing.T) {
	k := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	raw := func(s string) string { return base64.RawStdEncoding.EncodeToString([]byte(s)) }
	c := Default()
	c.Auth.Keys = []string{k("inline key one, 24 bytes"), raw("inline key two, 17"), k("inline key three, 18")}
	c.Auth.KeyFiles = []string{
		writeKeyFile(t, "a", "\n  "+k("file key A: 16 b.")+"  \n\n", 0o600),
		writeKeyFile(t, "b", raw("file key B, 17 b."), 0o400),
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	keys, err := c.Keyring()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"inline key one, 24 bytes", "inline key two, 17", "inline key three, 18", "file key A: 16 b.", "file key B, 17 b."}
	if len(keys) != len(want) {
		t.Fatalf("got %d keys, want %d", len(keys), len(want))
	}
	for i := range want {
		if string(keys[i]) != want[i] {
			t.Errorf("key %d: got %q, want %q", i, keys[i], want[i])
		}
	}
}

func TestKeyring_symlinkToPrivateFile(t *testing.T) {
	target := writeKeyFile(t, "key", testKey, 0o600)
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	c := Default()
	c.Auth.KeyFiles = []string{link}
	if keys, err := c.Keyring(); err != nil || len(keys) != 1 || !bytes.Equal(keys[0], testKeyBytes) {
		t.Errorf("got %q, %v; want the key", keys, err)
	}
}

func TestKeyring_fileProblems(t *testing.T) {
	secret := base64.StdEncoding.EncodeToString([]byte("short")) // 5 bytes
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		path string
		want string
	}{
		{"missing", filepath.Join(dir, "nope"), "no such file or directory"},
		{"directory", dir, "not a regular file"},
		{"fifo", fifo, "not a regular file"},
		{"group readable", writeKeyFile(t, "k", testKey, 0o640), "mode 0640 lets group or others access it: chmod 600 "},
		{"others readable", writeKeyFile(t, "k", testKey, 0o604), "mode 0604"},
		{"group writable", writeKeyFile(t, "k", testKey, 0o620), "mode 0620"},
		{"world everything", writeKeyFile(t, "k", testKey, 0o777), "mode 0777"},
		{"not base64", writeKeyFile(t, "k", "secret*secret*secret*secret", 0o600), "not valid base64"},
		{"two keys", writeKeyFile(t, "k", testKey+"\n"+testKey+"\n", 0o600), "not valid base64"},
		{"short", writeKeyFile(t, "k", secret, 0o600), "5 bytes, want at least 16"},
		{"empty", writeKeyFile(t, "k", "\n", 0o600), "0 bytes, want at least 16"},
		{"too large", writeKeyFile(t, "k", strings.Repeat("A", MaxKeyFileSize+1), 0o600), "larger than 4096 bytes"},
		{"relative", "key", "must be an absolute path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			c.Auth.Keys = []string{testKey}
			c.Auth.KeyFiles = []string{writeKeyFile(t, "good", testKey, 0o600), tc.path}
			keys, err := c.Keyring()
			if err == nil {
				t.Fatalf("got %d keys and no error, want an error", len(keys))
			}
			if keys != nil {
				t.Errorf("got %d keys with the error, want none", len(keys))
			}
			prefix := `auth.key_files[1] "` + tc.path + `": `
			if msg := err.Error(); !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, tc.want) {
				t.Errorf("got %q, want %q followed by %q", msg, prefix, tc.want)
			}
			if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), testKey) {
				t.Errorf("got %q, which quotes the key", err)
			}
			var ke *KeyError
			if !errors.As(err, &ke) || ke.Key != "auth.key_files[1]" {
				t.Errorf("got %#v, want a *KeyError for auth.key_files[1]", ke)
			}
		})
	}
}

func TestKeyring_everyProblem(t *testing.T) {
	c := Default()
	c.Auth.Keys = []string{"MTIzNDU2Nzg=", testKey, "%%%"}
	c.Auth.KeyFiles = []string{"/nonexistent/key", writeKeyFile(t, "k", testKey, 0o644)}
	_, err := c.Keyring()
	var keys []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var ke *KeyError
		if !errors.As(e, &ke) {
			t.Fatalf("got %T, want *KeyError", e)
		}
		keys = append(keys, ke.Key)
	}
	if want := "auth.keys[0] auth.keys[2] auth.key_files[0] auth.key_files[1]"; strings.Join(keys, " ") != want {
		t.Errorf("got %q, want %s", keys, want)
	}
	if !strings.Contains(err.Error(), "auth.keys[0]: 8 bytes, want at least 16") || !strings.Contains(err.Error(), "auth.keys[2]: not valid base64") {
		t.Errorf("got %v", err)
	}
}

func TestValidate_auth(t *testing.T) {
	short := base64.StdEncoding.EncodeToString([]byte("15 bytes, short"))
	for _, tc := range []struct {
		name  string
		keys  []string
		files []string
		want  string // "" for valid
	}{
		{"no keys", nil, nil, ""},
		{"padded", []string{testKey}, nil, ""},
		{"unpadded", []string{strings.TrimRight(testKey, "=")}, nil, ""},
		{"16 bytes", []string{base64.StdEncoding.EncodeToString([]byte("sixteen bytes!!!"))}, nil, ""},
		{"15 bytes", []string{testKey, short}, nil, "auth.keys[1]: 15 bytes, want at least 16"},
		{"URL alphabet", []string{base64.URLEncoding.EncodeToString([]byte{0xfb, 0xff, 0xfe, 0xfb, 0xff, 0xfe, 0xfb, 0xff, 0xfe, 0xfb, 0xff, 0xfe, 0xfb, 0xff, 0xfe, 0xfb, 0xff, 0xfe})},
			nil, "auth.keys[0]: not valid base64"},
		{"wrong padding", []string{testKey + "="}, nil, "auth.keys[0]: not valid base64"},
		{"spaces", []string{" " + testKey}, nil, "auth.keys[0]: not valid base64"},
		{"absolute files", nil, []string{"/etc/diskd/key", "/k"}, ""},
		{"relative file", nil, []string{"/etc/diskd/key", "key"}, `auth.key_files[1] "key": must be an absolute path`},
		{"empty file name", nil, []string{""}, `auth.key_files[0] "": must be an absolute path`},
		{"file with NUL", nil, []string{"/a\x00b"}, `auth.key_files[0]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			c.Auth = Auth{Keys: tc.keys, KeyFiles: tc.files}
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
			for _, k := range tc.keys {
				if err != nil && strings.Contains(err.Error(), k) {
					t.Errorf("got %q, which quotes the key %q", err, k)
				}
			}
		})
	}
}

// No error from a file quotes a key written in it.
func TestLoad_keysNotQuoted(t *testing.T) {
	for _, path := range testdata(t, "invalid") {
		if !strings.Contains(filepath.Base(path), "auth-key") {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Load(path)
		for _, secret := range []string{"MDEyMzQ1Njc4OWFiY2RlZmc", "MTIzNDU2Nzg", "secret"} {
			if bytes.Contains(data, []byte(secret)) && strings.Contains(err.Error(), secret) {
				t.Errorf("%s: got %q, which quotes the key", path, err)
			}
		}
	}
}

// Keys given in the file are printed back as given: the file is the user's.
func TestYAML_keys(t *testing.T) {
	c := Fast()
	c.Auth = Auth{Keys: []string{testKey}, KeyFiles: []string{"/etc/diskd/key"}}
	c.Legacy = Legacy{Accept: false, Announce: true}
	b, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	want := "auth:\n  keys: [" + testKey + "]\n  key_files: [/etc/diskd/key]\nlegacy:\n  accept: false\n  announce: true\n"
	if !strings.Contains(string(b), want) {
		t.Errorf("got\n%s\nwant it to contain\n%s", b, want)
	}
}
