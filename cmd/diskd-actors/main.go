// Command diskd-actors finds disks across a LAN: run it as a daemon on every
// host, then ask any daemon where a disk is.
//
//	diskd-actors daemon [--config FILE] [flags]   run the daemon in the foreground
//	diskd-actors demo [--nodes N]                 three daemons on loopback
//	diskd-actors [--socket P] [--json] COMMAND    ask the local daemon
//	diskd-actors                                  interactive prompt
//	diskd-actors help [COMMAND]                   help without a daemon
//	diskd-actors completion bash|zsh              shell completion
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

var usage = `diskd-actors: where is that disk?

Usage:
  diskd-actors daemon [--config FILE] [flags]   run the daemon in the foreground (see daemon --help)
  diskd-actors demo [--nodes N]                 start N daemons on loopback and show them find each other
  diskd-actors config [--config FILE]           print the effective configuration
  diskd-actors [global flags] COMMAND [ARGS]    run one command on the local daemon
  diskd-actors [global flags]                   interactive prompt (or commands from stdin)
  diskd-actors help [COMMAND]                   this help, or one command's (no daemon needed)
  diskd-actors completion bash|zsh              print a shell completion script
  diskd-actors version

Global flags:
  --socket PATH   the daemon's socket (default: $DISKD_SOCKET, the config's socket, or ~/.diskd-socket;
                  the daemon honours $DISKD_SOCKET too)
  --config FILE   read the socket path from this config file
  --json          answers as JSON
  -h, --help      this help

Commands:
` + lineproto.ClientUsage() + `
While debug streams, Enter ends it; in the prompt or piped, a command typed
then ends it and runs next.

Exit status: 0 success, 1 nothing matched, 2 error or usage, 3 daemon unreachable.
4: mount or unmount got no answer from the holder of the disk.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// globals are the flags accepted before the command.
type globals struct {
	socket, config string
	json           bool
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var g globals
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		name, val, hasVal := strings.Cut(strings.TrimLeft(args[0], "-"), "=")
		needVal := func() (string, bool) {
			if hasVal {
				return val, true
			}
			if len(args) < 2 {
				fmt.Fprintf(stderr, "diskd-actors: flag --%s needs a value\n", name)
				return "", false
			}
			args = args[1:]
			return args[0], true
		}
		switch name {
		case "h", "help":
			fmt.Fprint(stdout, usage)
			return exitOK
		case "version":
			fmt.Fprintln(stdout, "diskd-actors", version)
			return exitOK
		case "json":
			g.json = true
		case "socket":
			v, ok := needVal()
			if !ok {
				return exitError
			}
			g.socket = v
		case "config":
			v, ok := needVal()
			if !ok {
				return exitError
			}
			g.config = v
		default:
			fmt.Fprintf(stderr, "diskd-actors: unknown flag %s\n%s", args[0], usage)
			return exitError
		}
		args = args[1:]
	}
	if len(args) == 0 {
		sock, err := g.socketPath()
		if err != nil {
			fmt.Fprintln(stderr, "diskd-actors:", err)
			return exitError
		}
		return runInteractive(sock, g.json, stdin, stdout, stderr)
	}
	return dispatch(g, args, stdin, stdout, stderr)
}

// dispatch runs a subcommand, or sends a command to the daemon. help,
// completion and every subcommand's --help need no daemon.
func dispatch(g globals, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	switch args[0] {
	case "daemon":
		return runDaemon(g, args[1:], stdout, stderr)
	case "demo":
		return runDemo(args[1:], stdout, stderr)
	case "config":
		return runConfig(g, args[1:], stdout, stderr)
	case "help", "?":
		return runHelp(g, args[1:], stdout, stderr)
	case "completion":
		return runCompletion(args[1:], stdout, stderr)
	case "__complete":
		return runComplete(args[1:], stdout)
	case "version":
		if len(args) > 1 && isHelpFlag(args[1]) {
			return runHelp(g, []string{"version"}, stdout, stderr)
		}
		fmt.Fprintln(stdout, "diskd-actors", version)
		return exitOK
	}
	if len(args) > 1 && isHelpFlag(args[1]) {
		return runHelp(g, args[:1], stdout, stderr)
	}
	sock, err := g.socketPath()
	if err != nil {
		fmt.Fprintln(stderr, "diskd-actors:", err)
		return exitError
	}
	return runOneShot(sock, g.json, args, stdin, stdout, stderr)
}

// socketPath picks the socket: --socket, $DISKD_SOCKET, --config's socket,
// then the default.
func (g globals) socketPath() (string, error) {
	if g.socket != "" {
		return g.socket, nil
	}
	if s := os.Getenv("DISKD_SOCKET"); s != "" {
		return s, nil
	}
	cfg, err := config.Load(g.config)
	if err != nil {
		return "", err
	}
	if g.config == "" {
		return serviceFallback(cfg.Socket), nil
	}
	return cfg.Socket, nil
}
