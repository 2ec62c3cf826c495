package mountinfo

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/diskd-actors/diskd-actors/messages"
)

// Read reads and parses the mount table at path. It must be a regular file
// (procfs files are); it is opened non-blocking, so that a FIFO given by
// mistake fails at once instead of hanging the caller. Errors name the
// path.
func Read(path string) ([]messages.MountEntry, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return nil, err
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, st.Mode().Type())
	}
	data, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
	if err != nil {
		return nil, err
	}
	entries, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return entries, nil
}

// ResolveSource follows the symbolic links of a source that is a path
// (/dev/disk/by-uuid/… → /dev/sda1), so that it can be matched against
// blkid's device names; other sources (tmpfs, server:/export) and paths
// that do not resolve are returned as they are.
func ResolveSource(src string) string {
	if !strings.HasPrefix(src, "/") {
		return src
	}
	if r, err := filepath.EvalSymlinks(src); err == nil {
		return r
	}
	return src
}
