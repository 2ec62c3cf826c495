package main

import (
	"os"

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
