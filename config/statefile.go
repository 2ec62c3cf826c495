package config

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
)

// defaultHome is the directory Default puts the socket and state file in.
func defaultHome() string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		home = os.TempDir()
	}
	return home
}

// EffectiveStateFile is the state file the daemon uses. It is StateFile,
// except when StateFile is the default ($HOME/.diskd-state.yaml) and the
// socket is not: then a file named after the socket,
// $HOME/.diskd-state-<socket name>-<hash of the socket path>.json. So
// daemons with different sockets never share (and restore each other's)
// state unless state_file says so; the default daemon keeps its file.
func (c *Config) EffectiveStateFile() string {
	home := defaultHome()
	if c.StateFile != filepath.Join(home, ".diskd-state.yaml") || c.Socket == "" ||
		filepath.Clean(c.Socket) == filepath.Join(home, ".diskd-socket") {
		return c.StateFile
	}
	return StateFileForSocket(home, c.Socket)
}

// StateFileForSocket names the default state file in dir for a daemon on
// socket: readable (the socket's base name, cut to 32 safe characters) and
// unique (a hash of the whole cleaned path).
func StateFileForSocket(dir, socket string) string {
	clean := filepath.Clean(socket)
	sum := sha256.Sum256([]byte(clean))
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			return r
		}
		return '_'
	}, filepath.Base(clean))
	if len(name) > 32 {
		name = name[:32]
	}
	return filepath.Join(dir, ".diskd-state-"+name+"-"+hex.EncodeToString(sum[:4])+".json")
}
