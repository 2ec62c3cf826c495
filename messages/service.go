package messages

import "time"

// Messages of running as a service: reloading settings (SIGHUP) and the
// health ask behind systemd's watchdog.

// Settings are the values a running daemon changes on reload (the keys
// config.LiveKeys names); every other setting needs a restart.
type Settings struct {
	// Keys is the keyring, decoded: the first signs, every key verifies;
	// nil means datagrams are neither signed nor verified.
	Keys             [][]byte
	LegacyAccept     bool
	LegacyAnnounce   bool
	AnnounceInterval time.Duration
	BlkidCommand     []string
	BlkidInterval    time.Duration
	BlkidTimeout     time.Duration
	MountsInterval   time.Duration
	LogLevel         string
}

// ApplySettings gives a part the daemon's current Settings: sent by the
// daemon's supervisor to every part on reload, and in answer to
// GetSettings. A part answers a request with SettingsApplied.
type ApplySettings struct {
	Settings Settings
}

// GetSettings asks the supervisor for the current Settings; a part sends it
// at every (re)start, so that a restart does not undo a reload. Answered by
// ApplySettings.
type GetSettings struct{}

// SettingsApplied answers ApplySettings: the part now works with them.
type SettingsApplied struct {
	Part string
}

// CheckHealth asks a part whether it handles messages; answered by
// Healthy. The watchdog pets systemd only when every part answers.
type CheckHealth struct{}

// Healthy answers CheckHealth.
type Healthy struct {
	Part string
}
