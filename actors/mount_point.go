package actors

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/diskd-actors/diskd-actors/config"
)

// mountConfig is the mount section in force.
type mountConfig = config.Mount

// makeMountPoint makes point, a directory directly below the policy's base
// (the base is made if missing), and reports whether it made it. An
// existing point is used only if it is a real, empty directory: never a
// symbolic link, never a directory with something in it.
func makeMountPoint(point string) (made bool, err error) {
	base := parentDir(point)
	if err := os.MkdirAll(base, 0o755); err != nil {
		return false, fmt.Errorf("mount base: %w", err)
	}
	if fi, err := os.Lstat(base); err != nil || !fi.IsDir() {
		return false, fmt.Errorf("mount base %s is not a directory (or is a symbolic link)", base)
	}
	err = os.Mkdir(point, 0o755)
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return false, fmt.Errorf("mount point: %w", err)
	}
	fi, err := os.Lstat(point)
	if err != nil || !fi.IsDir() {
		return false, fmt.Errorf("mount point %s exists and is not a directory", point)
	}
	entries, err := os.ReadDir(point)
	if err != nil || len(entries) > 0 {
		return false, fmt.Errorf("mount point %s exists and is not empty", point)
	}
	return false, nil
}

// removeMountPoint removes point if it is an empty directory.
func removeMountPoint(point string) {
	if fi, err := os.Lstat(point); err == nil && fi.IsDir() {
		_ = os.Remove(point) // fails, harmlessly, unless empty and unmounted
	}
}

func parentDir(p string) string {
	for i := len(p) - 1; i > 0; i-- {
		if p[i] == '/' {
			return p[:i]
		}
	}
	return "/"
}
