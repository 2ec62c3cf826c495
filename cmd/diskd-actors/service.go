package main

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/diskd-actors/diskd-actors/actors"
	"github.com/diskd-actors/diskd-actors/actors/sdnotify"
	"github.com/diskd-actors/diskd-actors/config"
)

// healthWait bounds each part's answer to the watchdog's health ask.
const healthWait = 2 * time.Second

// service tells systemd (Type=notify) how the daemon is doing: READY=1
// once the socket listens and the first blkid run has finished or timed
// out, STATUS= lines, and WATCHDOG=1 at half of WATCHDOG_USEC, only while
// every actor answers a health ask, so that a wedged daemon is restarted.
// Without $NOTIFY_SOCKET it sends nothing.
type service struct {
	n   *sdnotify.Notifier
	log *slog.Logger
	dm  *actors.Daemon
	// healthy asks every part of the daemon (dm.Healthy).
	healthy func(wait time.Duration) error
	quit    chan struct{}
	wg      sync.WaitGroup
}

// startService starts readiness and the watchdog; stop ends them.
func startService(dm *actors.Daemon, cfg *config.Config, log *slog.Logger) *service {
	s := &service{log: log, dm: dm, healthy: dm.Healthy, quit: make(chan struct{})}
	n, err := sdnotify.FromEnv()
	if err != nil {
		log.Warn("not notifying systemd", "error", err)
	}
	s.n = n
	every, err := sdnotify.WatchdogInterval()
	if err != nil {
		log.Warn("watchdog off", "error", err)
	}
	s.notify(sdnotify.Status("listening on " + cfg.Socket + "; waiting for the first blkid run"))
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		// The first run ends at blkid.timeout at the latest; the margin
		// covers the actors' start.
		if err := dm.WaitFirstScan(cfg.Blkid.Timeout + 5*time.Second); err != nil {
			log.Warn("ready without a first blkid run", "error", err)
		}
		s.notify(sdnotify.Ready, sdnotify.Status("running; socket "+cfg.Socket))
		if every > 0 {
			s.watchdog(every)
		}
	}()
	return s
}

// watchdog pets systemd every interval while the actors answer.
func (s *service) watchdog(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-s.quit:
			return
		case <-t.C:
		}
		if err := s.healthy(min(healthWait, every)); err != nil {
			if !failing {
				s.log.Error("watchdog: not petting systemd", "error", err)
				s.notify(sdnotify.Status("unhealthy: " + err.Error()))
			}
			failing = true
			continue
		}
		if failing {
			s.log.Info("watchdog: every part answers again")
			s.notify(sdnotify.Status("running"))
		}
		failing = false
		s.notify(sdnotify.Watchdog)
	}
}

func (s *service) notify(lines ...string) {
	if err := s.n.Notify(lines...); err != nil {
		s.log.Warn("cannot notify systemd", "error", err)
	}
}

func (s *service) stop() {
	s.notify(sdnotify.Stopping, sdnotify.Status("stopping"))
	close(s.quit)
	s.wg.Wait()
}

// reload reads the configuration again as at start (the file, then the
// same flags) and applies what can change live. A configuration that does
// not load or validate is refused with its reasons and the old one kept.
func (s *service) reload(g globals, args []string) {
	s.notify(sdnotify.Reloading, sdnotify.Status("reloading the configuration"))
	defer s.notify(sdnotify.Ready, sdnotify.Status("running"))
	var errs bytes.Buffer
	cfg, _ := loadWithFlags(g, "daemon", args, &bytes.Buffer{}, &errs)
	if cfg == nil {
		s.log.Error("reload refused; keeping the running configuration", "error", strings.TrimSpace(errs.String()))
		return
	}
	live, restart, err := s.dm.Reload(cfg)
	if err != nil {
		s.log.Error("reload refused; keeping the running configuration", "error", err)
		return
	}
	for _, key := range restart {
		s.log.Warn(key+": restart needed", "key", key)
	}
	s.log.Info("configuration reloaded", "applied", strings.Join(live, " "), "restart_needed", strings.Join(restart, " "))
}
