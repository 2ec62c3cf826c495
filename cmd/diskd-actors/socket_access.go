package main

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"

	"github.com/diskd-actors/diskd-actors/config"
)

// serviceFallback is the default socket, or the systemd service's
// (config.ServiceSocket) when there is no socket at the default and the
// service's exists: a user of a host that runs the unit needs no flag.
func serviceFallback(socket string) string { return fallback(socket, config.ServiceSocket) }

func fallback(socket, service string) string {
	if _, err := os.Lstat(socket); err == nil {
		return socket
	}
	if fi, err := os.Lstat(service); err == nil && fi.Mode().Type() == os.ModeSocket {
		return service
	}
	return socket
}

// permissionDenied says who may use the socket and what to do: join its
// group (socket_group with socket_mode 0660) or use sudo.
func permissionDenied(socket string) error {
	fi, err := os.Stat(socket)
	var st *syscall.Stat_t
	if err == nil {
		st, _ = fi.Sys().(*syscall.Stat_t)
	}
	if st == nil {
		return fmt.Errorf("permission denied connecting to %s: run it with sudo, or as the daemon's user", socket)
	}
	group := strconv.Itoa(int(st.Gid))
	if g, err := user.LookupGroupId(group); err == nil {
		group = g.Name
	}
	mode := fi.Mode().Perm()
	if mode&0o060 == 0o060 {
		return fmt.Errorf("permission denied connecting to %s (mode %04o, group %s): ask to be added to group %s, or run it with sudo",
			socket, mode, group, group)
	}
	return fmt.Errorf("permission denied connecting to %s (mode %04o, group %s): only its owner may connect; run it with sudo, "+
		"or set socket_group and socket_mode: \"0660\" in the daemon's config", socket, mode, group)
}
