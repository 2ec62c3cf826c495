// Package identitytest reads the fixture trees of package identity: a
// host's sysfs and udev database described as text, for unit tests (as an
// fs.FS) and process tests (written out as real directories).
package identitytest

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing/fstest"
)

// Fixture trees (testdata/*.tree) describe a host's sysfs and udev
// database as text, since module zips carry no symbolic links:
//
//	link PATH TARGET     a symbolic link
//	file PATH VALUE      a file holding VALUE and a newline (VALUE may be Go-quoted)
//	file PATH            a file whose lines follow, each starting "| "
//
// Paths start with sys/ (the sysfs root) or udev/ (/run/udev/data).

// Load reads a fixture tree into the two roots; udev is nil when the
// tree has no udev/ files (a host without udevd).
func Load(name string) (sys, udev fs.FS, err error) {
	m, err := parse(name)
	if err != nil {
		return nil, nil, err
	}
	sys, _ = fs.Sub(m, "sys")
	if _, err := fs.Stat(m, "udev"); err == nil {
		udev, _ = fs.Sub(m, "udev")
	}
	return sys, udev, nil
}

// Write writes a fixture tree under dir: dir/sys and dir/udev, with real
// symbolic links. Several trees may be written into one dir.
func Write(name, dir string) error {
	m, err := parse(name)
	if err != nil {
		return err
	}
	for p, f := range m {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if f.Mode&fs.ModeSymlink != 0 {
			err = os.Symlink(string(f.Data), full)
		} else {
			err = os.WriteFile(full, f.Data, 0o644)
		}
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	return nil
}

func parse(name string) (fstest.MapFS, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := fstest.MapFS{}
	var last string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if rest, ok := strings.CutPrefix(line, "| "); ok {
			if last == "" {
				return nil, fmt.Errorf("%s:%d: a continuation line without its file", name, n)
			}
			m[last].Data = append(m[last].Data, rest+"\n"...)
			continue
		}
		kind, rest, _ := strings.Cut(line, " ")
		p, value, hasValue := strings.Cut(rest, " ")
		if !fs.ValidPath(p) {
			return nil, fmt.Errorf("%s:%d: bad path %q", name, n, p)
		}
		if strings.HasPrefix(value, `"`) {
			if value, err = strconv.Unquote(value); err != nil {
				return nil, fmt.Errorf("%s:%d: %v", name, n, err)
			}
		}
		switch {
		case kind == "link" && hasValue:
			m[p] = &fstest.MapFile{Data: []byte(value), Mode: fs.ModeSymlink | 0o777}
			last = ""
		case kind == "file" && hasValue:
			m[p] = &fstest.MapFile{Data: []byte(value + "\n"), Mode: 0o444}
			last = ""
		case kind == "file":
			m[p] = &fstest.MapFile{Mode: 0o444}
			last = p
		default:
			return nil, fmt.Errorf("%s:%d: want link PATH TARGET or file PATH [VALUE]", name, n)
		}
	}
	return m, sc.Err()
}
