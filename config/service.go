package config

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
)

// Service defaults.
const (
	// DefaultSocketMode lets only the daemon's user reach the socket.
	DefaultSocketMode = "0600"
	// ServiceSocket is the socket of the daemon run by the systemd unit
	// (RuntimeDirectory=diskd-actors); the client falls back to it.
	ServiceSocket = "/run/diskd-actors/socket"
)

// serviceDirs puts the socket in $RUNTIME_DIRECTORY and the state file in
// $STATE_DIRECTORY when systemd sets them (RuntimeDirectory=,
// StateDirectory=): under ProtectHome= the home directory is out of reach,
// and /run/diskd-actors is where clients look for the service's socket.
func (c *Config) serviceDirs() {
	if dir := firstDir(os.Getenv("RUNTIME_DIRECTORY")); dir != "" {
		c.Socket = filepath.Join(dir, "socket")
	}
	if dir := firstDir(os.Getenv("STATE_DIRECTORY")); dir != "" {
		c.StateFile = filepath.Join(dir, "state.yaml")
	}
}

// firstDir is the first absolute path of a colon-separated list, as systemd
// writes it when a unit names several directories.
func firstDir(list string) string {
	dir, _, _ := strings.Cut(list, ":")
	if !filepath.IsAbs(dir) {
		return ""
	}
	return dir
}

// SocketPerm is socket_mode as permission bits. Validate has checked it.
func (c *Config) SocketPerm() os.FileMode {
	m, _ := parseSocketMode(c.SocketMode)
	return m
}

// parseSocketMode reads an octal mode that gives the owner read and write
// and others nothing: a socket others may reach is not a safe default, and
// a group is the way to share it.
func parseSocketMode(s string) (os.FileMode, error) {
	if s == "" {
		s = DefaultSocketMode
	}
	if len(s) < 3 || len(s) > 4 {
		return 0, fmt.Errorf("want an octal mode such as 0600 or 0660")
	}
	v, err := strconv.ParseUint(s, 8, 32)
	if err != nil {
		return 0, fmt.Errorf("want an octal mode such as 0600 or 0660")
	}
	m := os.FileMode(v)
	switch {
	case m&^0o777 != 0:
		return 0, fmt.Errorf("only permission bits (no setuid, setgid or sticky bit)")
	case m&0o600 != 0o600:
		return 0, fmt.Errorf("the owner needs read and write (0600)")
	case m&0o007 != 0:
		return 0, fmt.Errorf("others may not reach the socket: use socket_group and 0660")
	}
	return m, nil
}

// SocketGID is the group id of socket_group, -1 when none is set.
// socket_group is a group name or a number; an unknown one is an error.
func (c *Config) SocketGID() (int, error) {
	if c.SocketGroup == "" {
		return -1, nil
	}
	g, err := user.LookupGroup(c.SocketGroup)
	if err != nil {
		if _, numeric := strconv.Atoi(c.SocketGroup); numeric == nil {
			g, err = user.LookupGroupId(c.SocketGroup)
		}
	}
	if err != nil {
		return -1, fmt.Errorf("no such group on this host (see getent group)")
	}
	gid, err := strconv.Atoi(g.Gid)
	if err != nil {
		return -1, fmt.Errorf("group id %q is not a number", g.Gid)
	}
	return gid, nil
}

// serviceProblems checks socket_mode and socket_group.
func (c *Config) serviceProblems(add func(key string, value any, format string, args ...any)) {
	if _, err := parseSocketMode(c.SocketMode); err != nil {
		add("socket_mode", c.SocketMode, "%v", err)
	}
	if _, err := c.SocketGID(); err != nil {
		add("socket_group", c.SocketGroup, "%v", err)
	}
}

// Redacted returns a copy of c whose inline keys are replaced by one
// placeholder, for printing: `diskd-actors config` must show no key
// material. Key file paths are kept; they are not secrets.
func (c *Config) Redacted() *Config {
	r := *c
	if n := len(c.Auth.Keys); n > 0 {
		r.Auth.Keys = []string{fmt.Sprintf("<redacted: %d %s>", n, plural(n, "key", "keys"))}
	}
	return &r
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// LiveKeys are the settings a running daemon applies on reload (SIGHUP);
// a change to any other needs a restart. A key names itself and every key
// under it.
var LiveKeys = []string{"auth", "legacy", "announce.interval", "blkid", "mounts.interval", "log.level"}

// Changes lists the dotted keys whose values differ between old and new,
// split into those applied live (LiveKeys) and those that need a restart.
func Changes(old, new *Config) (live, restart []string) {
	a, b := map[string]string{}, map[string]string{}
	flattenKeys(reflect.ValueOf(*old), "", a)
	flattenKeys(reflect.ValueOf(*new), "", b)
	for _, k := range keyOrder(reflect.TypeFor[Config](), "") {
		if a[k] == b[k] {
			continue
		}
		if isLive(k) {
			live = append(live, k)
		} else {
			restart = append(restart, k)
		}
	}
	return live, restart
}

func isLive(key string) bool {
	for _, l := range LiveKeys {
		if related(key, l) && len(key) >= len(l) {
			return true
		}
	}
	return false
}

// flatten writes each leaf of the struct v under its dotted yaml key.
func flattenKeys(v reflect.Value, path string, out map[string]string) {
	t := v.Type()
	for i := range t.NumField() {
		key := t.Field(i).Tag.Get("yaml")
		if path != "" {
			key = path + "." + key
		}
		if f := v.Field(i); f.Kind() == reflect.Struct {
			flattenKeys(f, key, out)
		} else if f.Kind() == reflect.Pointer && !f.IsNil() { // an optional section (mount.policy): by value
			out[key] = fmt.Sprintf("%+v", f.Elem().Interface())
		} else {
			out[key] = fmt.Sprint(f.Interface())
		}
	}
}

// keyOrder lists the leaf keys of struct type t in declaration order.
func keyOrder(t reflect.Type, path string) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		key := f.Tag.Get("yaml")
		if path != "" {
			key = path + "." + key
		}
		if f.Type.Kind() == reflect.Struct && f.Type != durationType {
			keys = append(keys, keyOrder(f.Type, key)...)
		} else {
			keys = append(keys, key)
		}
	}
	return keys
}

// inlineKeysReadable refuses inline auth.keys in a file that group or
// others may read, as key files are refused: the keys are as secret there.
func inlineKeysReadable(path string, perm os.FileMode) *KeyError {
	if perm&0o077 == 0 {
		return nil
	}
	return &KeyError{Key: "auth.keys", Msg: fmt.Sprintf(
		"auth.keys: inline keys in a file whose mode %04o lets group or others access it: chmod 600 %s (or move the keys to auth.key_files)",
		perm, path)}
}
