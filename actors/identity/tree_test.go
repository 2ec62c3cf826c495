package identity

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
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

// loadTree reads a fixture tree into the two roots.
func loadTree(name string) (sys, udev fs.FS, err error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
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
				return nil, nil, fmt.Errorf("%s:%d: a continuation line without its file", name, n)
			}
			m[last].Data = append(m[last].Data, rest+"\n"...)
			continue
		}
		kind, rest, _ := strings.Cut(line, " ")
		p, value, hasValue := strings.Cut(rest, " ")
		if !fs.ValidPath(p) {
			return nil, nil, fmt.Errorf("%s:%d: bad path %q", name, n, p)
		}
		if strings.HasPrefix(value, `"`) {
			if value, err = strconv.Unquote(value); err != nil {
				return nil, nil, fmt.Errorf("%s:%d: %v", name, n, err)
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
			return nil, nil, fmt.Errorf("%s:%d: want link PATH TARGET or file PATH [VALUE]", name, n)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, err
	}
	sys, _ = fs.Sub(m, "sys")
	if _, err := fs.Stat(m, "udev"); err == nil {
		udev, _ = fs.Sub(m, "udev")
	}
	return sys, udev, nil
}
