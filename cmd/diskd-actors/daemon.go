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
// second signal exits at once.
func runDaemon(g globals, args []string, stdout, stderr io.Writer) int {
	cfg, code := loadWithFlags(g, "daemon", args, stdout, stderr)
	if cfg == nil {
		return code
	}
	log, err := newLogger(cfg.Log, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "diskd-actors:", err)
		return exitError
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	signal.Ignore(syscall.SIGHUP, syscall.SIGPIPE)
	defer startGCPacer()() // memory.go
	dm, err := actors.Start(actors.Options{Config: cfg, Version: version, Log: log})
	if err != nil {
		if errors.Is(err, actors.ErrDaemonRunning) {
			fmt.Fprintln(stderr, "diskd-actors:", err)
		} else {
			fmt.Fprintln(stderr, "diskd-actors: cannot start:", err)
		}
		return exitError
	}
	<-ctx.Done()
	stop() // a second signal now kills the process at once
	log.Info("signal received; stopping")
	dm.Stop()
	return exitOK
}

// runConfig prints the effective configuration.
func runConfig(g globals, args []string, stdout, stderr io.Writer) int {
	cfg, code := loadWithFlags(g, "config", args, stdout, stderr)
	if cfg == nil {
		return code
	}
	b, err := cfg.YAML()
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
	fs.SetOutput(stderr)
	path := fs.String("config", g.config, "YAML config `file` (every key has a default)")
	node := fs.String("node", "", "node `name` announced to peers (config: node)")
	socket := fs.String("socket", g.socket, "unix socket `path` (config: socket)")
	group := fs.String("group", "", "multicast `group` (config: multicast.group)")
	port := fs.Int("port", 0, "multicast `port` (config: multicast.port)")
	iface := fs.String("interface", "", "multicast `interface`, e.g. lo (config: multicast.interface)")
	ttl := fs.Int("ttl", 0, "multicast `ttl` (config: multicast.ttl)")
	level := fs.String("log-level", "", "debug, info, warn or error (config: log.level)")
	format := fs.String("log-format", "", "text or json (config: log.format)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: diskd-actors %s [flags]\n\nFlags override the config file, which overrides the defaults:\n", name)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, exitOK
		}
		return nil, exitError
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

func newLogger(c config.Log, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.Level)); err != nil {
		return nil, fmt.Errorf("log.level %q: %w", c.Level, err)
	}
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
