package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/diskd-actors/diskd-actors/actors"
	"github.com/diskd-actors/diskd-actors/config"
)

// runDaemon runs the daemon in the foreground until SIGINT or SIGTERM; a
// second signal exits at once. SIGHUP reloads the configuration.
func runDaemon(g globals, args []string, stdout, stderr io.Writer) int {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP) // from the start: a HUP while starting must not kill
	defer signal.Stop(hup)
	cfg, code := loadWithFlags(g, "daemon", args, stdout, stderr)
	if cfg == nil {
		return code
	}
	level := &slog.LevelVar{}
	log, err := newLogger(cfg.Log, level, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "diskd-actors:", err)
		return exitError
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	signal.Ignore(syscall.SIGPIPE)
	dm, err := actors.Start(actors.Options{Config: cfg, Version: version, Log: log, Level: level})
	if err != nil {
		if errors.Is(err, actors.ErrDaemonRunning) {
			fmt.Fprintln(stderr, "diskd-actors:", err)
		} else {
			fmt.Fprintln(stderr, "diskd-actors: cannot start:", err)
		}
		return exitError
	}
	svc := startService(dm, cfg, log)
	for running := true; running; {
		select {
		case <-ctx.Done():
			running = false
		case <-hup:
			log.Info("SIGHUP: reloading the configuration")
			svc.reload(g, args)
		}
	}
	stop() // a second signal now kills the process at once
	log.Info("signal received; stopping")
	svc.stop()
	dm.Stop()
	return exitOK
}

// runConfig prints the effective configuration, inline keys redacted.
func runConfig(g globals, args []string, stdout, stderr io.Writer) int {
	cfg, code := loadWithFlags(g, "config", args, stdout, stderr)
	if cfg == nil {
		return code
	}
	b, err := cfg.Redacted().YAML()
	if err != nil {
		fmt.Fprintln(stderr, "diskd-actors:", err)
		return exitError
	}
	stdout.Write(b)
	return exitOK
}

// loadWithFlags builds the configuration: defaults, then the file, then the
// flags that were given. A nil config comes with the exit code.
func loadWithFlags(g globals, name string, args []string, stdout, stderr io.Writer) (*config.Config, int) {
	fs := flag.NewFlagSet("diskd-actors "+name, flag.ContinueOnError)
	path := fs.String("config", g.config, "YAML config `file` (every key has a default)")
	node := fs.String("node", "", "node `name` announced to peers (config: node)")
	socket := fs.String("socket", g.socket, "unix socket `path` (config: socket)")
	group := fs.String("group", "", "multicast `group` (config: multicast.group)")
	port := fs.Int("port", 0, "multicast `port` (config: multicast.port)")
	iface := fs.String("interface", "", "multicast `interface`, e.g. lo (config: multicast.interface)")
	ttl := fs.Int("ttl", 0, "multicast `ttl` (config: multicast.ttl)")
	level := fs.String("log-level", "", "debug, info, warn or error (config: log.level)")
	format := fs.String("log-format", "", "text or json (config: log.format)")
	if ok, code := parseFlags(fs, name+" [flags]", subcommandIntro[name], args, stdout, stderr); !ok {
		return nil, code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "diskd-actors %s: unexpected argument %q\n", name, fs.Arg(0))
		return nil, exitError
	}
	cfg, err := config.Load(*path)
	if err != nil {
		fmt.Fprintln(stderr, "diskd-actors:", err)
		return nil, exitError
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["node"] {
		cfg.Node = *node
	}
	if set["socket"] || g.socket != "" {
		cfg.Socket = *socket
	} else if env := os.Getenv("DISKD_SOCKET"); env != "" {
		cfg.Socket = env // as the client does, so that both meet
	}
	if set["group"] {
		cfg.Multicast.Group = *group
	}
	if set["port"] {
		cfg.Multicast.Port = *port
	}
	if set["interface"] {
		cfg.Multicast.Interface = *iface
	}
	if set["ttl"] {
		cfg.Multicast.TTL = *ttl
	}
	if set["log-level"] {
		cfg.Log.Level = *level
	}
	if set["log-format"] {
		cfg.Log.Format = *format
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintln(stderr, "diskd-actors: invalid configuration:\n"+indent(err.Error()))
		return nil, exitError
	}
	return cfg, exitOK
}

// newLogger makes the daemon's logger at level, set from c.Level here and
// on every reload.
func newLogger(c config.Log, level *slog.LevelVar, w io.Writer) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.Level)); err != nil {
		return nil, fmt.Errorf("log.level %q: %w", c.Level, err)
	}
	level.Set(l)
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}

func indent(s string) string {
	out := "  "
	for _, r := range s {
		out += string(r)
		if r == '\n' {
			out += "  "
		}
	}
	return out
}
