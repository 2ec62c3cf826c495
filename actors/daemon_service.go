package actors

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
)

// What the daemon does for a service manager: reload settings (SIGHUP),
// wait for its first scan (systemd readiness), answer a health ask (the
// watchdog). Every step is a typed message to the actors; nothing here
// writes state an actor reads.

// serviceAsk bounds each ask of Reload and Healthy.
const serviceAsk = 5 * time.Second

// settingsOf is the part of cfg a running daemon applies live.
func settingsOf(cfg *config.Config, keys [][]byte) messages.Settings {
	return messages.Settings{
		Keys:         keys,
		LegacyAccept: cfg.Legacy.Accept, LegacyAnnounce: cfg.Legacy.Announce,
		AnnounceInterval: cfg.Announce.Interval,
		BlkidCommand:     slices.Clone(cfg.Blkid.Command),
		BlkidInterval:    cfg.Blkid.Interval, BlkidTimeout: cfg.Blkid.Timeout,
		MountsInterval: cfg.Mounts.Interval,
		LogLevel:       cfg.Log.Level,
	}
}

// noKeysWarning is logged at start and shown in status while no keys are
// configured.
const noKeysWarning = "no auth keys configured: datagrams are unsigned, and anyone on the LAN can announce disks to this daemon (set auth.keys or auth.key_files)"

// warnings are the standing warnings of settings s, for status.
func warnings(s messages.Settings) []string {
	if len(s.Keys) == 0 {
		return []string{noKeysWarning}
	}
	return nil
}

// Reload applies cfg's live settings (config.LiveKeys) to the running
// daemon and returns the changed keys, those applied and those that need a
// restart (which keep their old values). A configuration that is invalid,
// or whose key files cannot be read, is refused whole: the daemon keeps
// the settings it had. Reloads are serialised by the caller.
func (dm *Daemon) Reload(cfg *config.Config) (live, restart []string, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	keys, err := cfg.Keyring()
	if err != nil {
		return nil, nil, err
	}
	live, restart = config.Changes(dm.cfg, cfg)
	hadKeys := len(dm.cfg.Auth.Keys)+len(dm.cfg.Auth.KeyFiles) > 0
	s := settingsOf(cfg, keys)
	// The supervisor first, so that a part restarting from now on asks
	// for the new settings; then every part that applies them. A part
	// that does not answer (failed, in its back-off) takes them from the
	// supervisor when it restarts, so the reload stands.
	root, d := dm.sys.Root, dm.deps
	res, err := root.RequestFuture(dm.top, &messages.ApplySettings{Settings: s}, serviceAsk).Result()
	if _, ok := res.(*messages.SettingsApplied); err != nil || !ok {
		return nil, nil, fmt.Errorf("reload: the daemon's supervisor did not take the settings: %v", err)
	}
	parts := []struct {
		name string
		pid  *actor.PID
	}{{"info", d.pids.info}, {"disk_watcher", d.pids.diskWatcher},
		{"mount_watcher", d.pids.mountWatcher}, {"multicast", d.pids.multicast}}
	if d.pids.cluster != nil { // re-keys memberlist
		parts = append(parts, struct {
			name string
			pid  *actor.PID
		}{"cluster", d.pids.cluster})
	}
	for _, p := range parts {
		res, err := root.RequestFuture(p.pid, &messages.ApplySettings{Settings: s}, serviceAsk).Result()
		if _, ok := res.(*messages.SettingsApplied); err != nil || !ok {
			d.log.Warn("reload: a part did not answer; it takes the new settings when it restarts", "part", p.name, "error", err)
		}
	}
	// Keep the live values; the others stay as they were until a restart.
	next := *dm.cfg
	next.Auth, next.Legacy, next.Announce.Interval = cfg.Auth, cfg.Legacy, cfg.Announce.Interval
	next.Blkid, next.Mounts.Interval, next.Log.Level = cfg.Blkid, cfg.Mounts.Interval, cfg.Log.Level
	dm.cfg = &next
	if len(keys) == 0 && hadKeys { // without keys before, the start said so
		d.log.Warn(noKeysWarning)
	}
	return live, restart, nil
}

// WaitFirstScan returns once the first blkid run has finished, well or not
// (it ends at blkid.timeout at the latest), or after wait.
func (dm *Daemon) WaitFirstScan(wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		res, err := dm.sys.Root.RequestFuture(dm.deps.pids.info, &messages.GetLocalDisks{}, serviceAsk).Result()
		if l, ok := res.(*messages.LocalDisks); err == nil && ok && l.Ready {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no blkid run finished within %v", wait)
		}
		time.Sleep(20 * time.Millisecond) // a poll of a local actor, not a synchronisation
	}
}

// Healthy asks every part whether it handles messages, within wait each;
// the first that does not answer is the error. The watchdog pets systemd
// only when this returns nil, so a wedged daemon is restarted.
func (dm *Daemon) Healthy(wait time.Duration) error {
	d := dm.deps
	parts := []struct {
		name string
		pid  *actor.PID
	}{{"daemon", dm.top}, {"info", d.pids.info}, {"disk_watcher", d.pids.diskWatcher},
		{"mount_watcher", d.pids.mountWatcher}, {"multicast", d.pids.multicast}, {"sockets", d.pids.sockets}}
	if d.pids.stateStore != nil {
		parts = append(parts, struct {
			name string
			pid  *actor.PID
		}{"state_store", d.pids.stateStore})
	}
	if d.pids.http != nil {
		parts = append(parts, struct {
			name string
			pid  *actor.PID
		}{"http", d.pids.http})
	}
	for _, p := range parts {
		res, err := dm.sys.Root.RequestFuture(p.pid, &messages.CheckHealth{}, wait).Result()
		if _, ok := res.(*messages.Healthy); err != nil || !ok {
			if err == nil {
				err = errors.New("unexpected answer")
			}
			return fmt.Errorf("%s did not answer a health check: %w", p.name, err)
		}
	}
	return nil
}

// askSettings asks the supervisor for the current settings at a part's
// (re)start; the answer arrives as ApplySettings. A part spawned without
// the daemon's supervisor (in a unit test) keeps the settings of d.cfg;
// askSettings reports whether it asked.
func askSettings(c actor.Context) bool {
	if p := c.Parent(); p != nil && p.Id == "daemon" {
		c.Request(p, &messages.GetSettings{})
		return true
	}
	return false
}

// applied answers an ApplySettings request.
func applied(c actor.Context, part string) {
	if c.Sender() != nil {
		c.Respond(&messages.SettingsApplied{Part: part})
	}
}

// setLevel applies a reloaded log level; lv is nil when the caller keeps
// the level fixed.
func setLevel(lv *slog.LevelVar, level string, log *slog.Logger) {
	if lv == nil {
		return
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		log.Warn("reload: bad log level kept the old one", "level", level)
		return
	}
	lv.Set(l)
}

// authState is what MulticastServer and its reader goroutine sign and
// verify with; the actor swaps it on reload, the reader loads it per
// datagram. It is theirs alone.
type authState struct {
	keys           [][]byte
	legacyAccept   bool
	legacyAnnounce bool
}

func newAuthState(s messages.Settings) *authState {
	return &authState{keys: s.Keys, legacyAccept: s.LegacyAccept, legacyAnnounce: s.LegacyAnnounce}
}

// signKey is the key that signs datagrams, nil without authentication.
func (a *authState) signKey() []byte {
	if len(a.keys) == 0 {
		return nil
	}
	return a.keys[0]
}

// legacyOK: the original's datagrams are accepted only when asked for and
// never alongside authentication.
func (a *authState) legacyOK() bool { return a.legacyAccept && len(a.keys) == 0 }

// legacyOut: the original's format is announced only without keys.
func (a *authState) legacyOut() bool { return a.legacyAnnounce && len(a.keys) == 0 }

type authPointer = atomic.Pointer[authState]
