package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Keyring returns the authentication keys, decoded: auth.keys, then
// auth.key_files, in order; the first key signs and every key verifies. No
// keys (nil) means datagrams are neither signed nor verified. Each key file
// must be a regular file that group and others can neither read nor write,
// holding one base64 key (surrounding whitespace is ignored). Every problem
// is reported, joined with errors.Join; each is a *KeyError naming the key
// path (and the file), never the key.
func (c *Config) Keyring() ([][]byte, error) {
	var keys [][]byte
	var errs []error
	for i, s := range c.Auth.Keys {
		key := fmt.Sprintf("auth.keys[%d]", i)
		k, err := decodeKey(s)
		if err != nil {
			errs = append(errs, &KeyError{Key: key, Msg: key + ": " + err.Error()})
			continue
		}
		keys = append(keys, k)
	}
	for i, path := range c.Auth.KeyFiles {
		key := fmt.Sprintf("auth.key_files[%d]", i)
		k, err := readKeyFile(path)
		if err != nil {
			errs = append(errs, &KeyError{Key: key, Msg: fmt.Sprintf("%s %q: %v", key, path, err)})
			continue
		}
		keys = append(keys, k)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return keys, nil
}

// decodeKey decodes a base64 key, with or without padding, and checks its
// size. Its errors do not quote the key.
func decodeKey(s string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		k, err = base64.RawStdEncoding.DecodeString(s)
	}
	if err != nil {
		return nil, errors.New("not valid base64")
	}
	if len(k) < MinKeySize {
		return nil, fmt.Errorf("%d bytes, want at least %d", len(k), MinKeySize)
	}
	return k, nil
}

// readKeyFile reads and decodes the key file at path.
func readKeyFile(path string) ([]byte, error) {
	if !filepath.IsAbs(path) {
		return nil, errors.New("must be an absolute path")
	}
	// Stat first, so that a FIFO is refused rather than opened (which
	// would block); the open file is checked again below.
	if fi, err := os.Stat(path); err != nil {
		return nil, statError(err)
	} else if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s)", fi.Mode().Type())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, statError(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s)", fi.Mode().Type())
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("mode %04o lets group or others access it: chmod 600 %s", perm, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxKeyFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxKeyFileSize {
		return nil, fmt.Errorf("larger than %d bytes: want one base64 key", MaxKeyFileSize)
	}
	return decodeKey(strings.TrimSpace(string(data)))
}

// statError shortens the errors of os.Stat and os.Open, which repeat the path.
func statError(err error) error {
	if pe := (*os.PathError)(nil); errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
