package actors

// The daemon's hold on its state file: which path, the lock that keeps a
// second daemon off it, and whether saving is on. The codec and the file
// operations are package statefile; the pacing of saves is StateStore.

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/diskd-actors/diskd-actors/actors/lock"
	"github.com/diskd-actors/diskd-actors/actors/statefile"
	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
)

// Drop reasons counted for refused saves (shown under drops in status).
const (
	dropStateTooLarge = "state_save_too_large"
	dropStateUnsafe   = "state_save_unsafe"
)

// stateFile is set up by Start before the actors run.
type stateFile struct {
	path    string // "" when persistence is off
	lock    *lock.Lock
	migrate bool                    // loaded from the YAML format: save soon
	snap    *messages.StateSnapshot // what was loaded, if anything
}

// on reports whether the daemon saves its state.
func (s *stateFile) on() bool { return s != nil && s.path != "" }

// release drops the lock; safe to call twice.
func (s *stateFile) release() {
	if s != nil && s.lock != nil {
		s.lock.Release()
		s.lock = nil
	}
}

// openStateFile locks and loads the state file. A second daemon on the
// same file gets a *lock.HeldError (Start fails: exit status 2). Anything
// else wrong with the file costs only history: a path that is not a
// regular file (a symlink, FIFO, directory, device) turns persistence off
// for this run, with a warning, and is left alone; a corrupt file is moved
// aside; the daemon starts empty.
func openStateFile(cfg *config.Config, log *slog.Logger, now time.Time) (*stateFile, error) {
	path := cfg.EffectiveStateFile()
	if path == "" {
		return &stateFile{}, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		log.Warn("state file not usable; persistence off", "file", path, "problem", err)
		return &stateFile{}, nil
	}
	lk, err := lock.Acquire(path)
	if errors.Is(err, lock.ErrHeld) {
		return nil, fmt.Errorf("state file %s is in use by another daemon: %w", path, err)
	}
	if err != nil {
		log.Warn("state file not usable; persistence off", "file", path, "problem", err)
		return &stateFile{}, nil
	}
	st := &stateFile{path: path, lock: lk}
	if n, err := statefile.RemoveTemps(path, now); err != nil {
		log.Warn("cannot remove leftover temporary state files", "file", path, "error", err)
	} else if n > 0 {
		log.Info("leftover temporary state files removed", "file", path, "count", n)
	}
	snap, legacy, err := statefile.Load(path, now)
	switch {
	case errors.Is(err, statefile.ErrUnsafe):
		log.Warn("state file not usable; persistence off", "file", path, "problem", err)
		st.path = "" // keep the lock: a second daemon must not take over
		return st, nil
	case err != nil:
		log.Warn("state file not usable; starting empty", "file", path, "problem", err)
	case snap != nil:
		st.snap, st.migrate = snap, legacy
		log.Info("state restored", "file", path, "peers", len(snap.Peers), "sightings", len(snap.Sightings), "saved_at", snap.SavedAt)
		if legacy {
			log.Info("state file is in the old YAML format; it will be saved as JSON", "file", path)
		}
	}
	return st, nil
}

// saveState writes a snapshot atomically, counting what statefile
// refuses; the old file is kept whenever the save fails.
func saveState(d *deps, path string, snap *messages.StateSnapshot) (int64, error) {
	n, err := statefile.Save(path, snap)
	switch {
	case errors.Is(err, statefile.ErrTooLarge):
		d.stats.drop(dropStateTooLarge)
	case errors.Is(err, statefile.ErrUnsafe):
		d.stats.drop(dropStateUnsafe)
	}
	return n, err
}
