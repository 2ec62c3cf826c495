package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/diskd-actors/diskd-actors/config"
)

// runDemo starts a network of daemons on the loopback interface, each with
// a scripted disk list, waits until every daemon lists every disk, shows
// it, and keeps them running until interrupted. Nothing leaves the host:
// the daemons use interface lo.
func runDemo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diskd-actors demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	nodes := fs.Int("nodes", 3, "number of daemons")
	dir := fs.String("dir", "", "working `directory` (default: a new temporary directory)")
	port := fs.Int("port", 32103, "multicast `port` on lo")
	check := fs.Bool("check", false, "exit 0 once every daemon lists every disk (for scripts)")
	wait := fs.Duration("timeout", 20*time.Second, "how long to wait for convergence")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitError
	}
	if *nodes < 1 || *nodes > 50 {
		fmt.Fprintln(stderr, "diskd-actors demo: --nodes must be 1..50")
		return exitError
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "diskd-demo-")
		if err != nil {
			fmt.Fprintln(stderr, "diskd-actors demo:", err)
			return exitError
		}
		*dir = d
		defer os.RemoveAll(d) // runs after the daemons have stopped
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "diskd-actors demo:", err)
		return exitError
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var procs []*exec.Cmd
	defer func() {
		for _, p := range procs {
			p.Process.Signal(syscall.SIGTERM)
		}
		for _, p := range procs {
			p.Wait()
		}
	}()
	want := 0
	sockets := make([]string, *nodes)
	for i := range *nodes {
		name := fmt.Sprintf("demo%d", i+1)
		home := filepath.Join(*dir, name)
		if err := os.MkdirAll(home, 0o700); err != nil {
			fmt.Fprintln(stderr, "diskd-actors demo:", err)
			return exitError
		}
		disks := demoBlkid(i + 1)
		want += strings.Count(disks, "DEVNAME=")
		blkidFile := filepath.Join(home, "blkid.txt")
		if err := os.WriteFile(blkidFile, []byte(disks), 0o600); err != nil {
			fmt.Fprintln(stderr, "diskd-actors demo:", err)
			return exitError
		}
		cfg := config.Fast()
		cfg.Node = name
		cfg.Socket = filepath.Join(*dir, name+".sock")
		cfg.Multicast.Port = *port
		cfg.Multicast.Interface = "lo"
		cfg.Announce.Interval = 5 * time.Second
		cfg.Blkid.Interval = 5 * time.Second
		cfg.Peer.Timeout = 15 * time.Second
		cfg.Blkid.Command = []string{"cat", blkidFile}
		// The scripted disks are not this machine's: no identity from its
		// sysfs (an empty tree) and no scans on its device events.
		cfg.Identity.Sysfs, cfg.Identity.UdevData, cfg.Hotplug.Enabled = filepath.Join(home, "sysfs"), "", false
		if err := os.MkdirAll(filepath.Join(cfg.Identity.Sysfs, "class", "block"), 0o700); err != nil {
			fmt.Fprintln(stderr, "diskd-actors demo:", err)
			return exitError
		}
		cfg.StateFile = filepath.Join(home, "state.yaml")
		cfg.Mounts.File = filepath.Join(home, "mountinfo")
		if err := os.WriteFile(cfg.Mounts.File, nil, 0o600); err != nil {
			fmt.Fprintln(stderr, "diskd-actors demo:", err)
			return exitError
		}
		b, err := cfg.YAML()
		if err != nil {
			fmt.Fprintln(stderr, "diskd-actors demo:", err)
			return exitError
		}
		cfgFile := filepath.Join(home, "config.yaml")
		if err := os.WriteFile(cfgFile, b, 0o600); err != nil {
			fmt.Fprintln(stderr, "diskd-actors demo:", err)
			return exitError
		}
		logf, err := os.Create(filepath.Join(home, "daemon.log"))
		if err != nil {
			fmt.Fprintln(stderr, "diskd-actors demo:", err)
			return exitError
		}
		cmd := exec.Command(exe, "daemon", "--config", cfgFile)
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			fmt.Fprintln(stderr, "diskd-actors demo:", err)
			return exitError
		}
		logf.Close()
		procs = append(procs, cmd)
		sockets[i] = cfg.Socket
	}
	fmt.Fprintf(stdout, "started %d daemons on lo (group 230.1.2.3 port %d), files in %s\n", *nodes, *port, *dir)

	start := time.Now()
	deadline := start.Add(*wait)
	for {
		counts := make([]int, len(sockets))
		done := true
		for i, s := range sockets {
			var disks []json.RawMessage
			if err := queryJSON(s, "list", &disks); err == nil {
				counts[i] = len(disks)
			}
			done = done && counts[i] == want
		}
		if done {
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			fmt.Fprintf(stderr, "diskd-actors demo: daemons did not converge in %v (disks listed: %v, want %d each); logs in %s\n", *wait, counts, want, *dir)
			return exitError
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Fprintf(stdout, "every daemon lists all %d disks after %v\n\n", want, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(stdout, "$ diskd-actors --socket %s list\n", sockets[0])
	runOneShot(sockets[0], false, []string{"list"}, nil, stdout, stderr)
	fmt.Fprintf(stdout, "\n$ diskd-actors --socket %s where \"backup %d\"\n", sockets[0], *nodes)
	runOneShot(sockets[0], false, []string{"where", fmt.Sprintf("backup %d", *nodes)}, nil, stdout, stderr)
	if *check {
		return exitOK
	}
	fmt.Fprintf(stdout, "\nTry, in another terminal:\n  diskd-actors --socket %s            (interactive)\n", sockets[0])
	fmt.Fprintf(stdout, "  edit %s, then: diskd-actors --socket %s refresh\n", filepath.Join(*dir, "demo1", "blkid.txt"), sockets[0])
	fmt.Fprintf(stdout, "  socat - UNIX-CONNECT:%s\nPress Ctrl-C to stop the daemons.\n", sockets[0])
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping")
	return exitOK
}

// demoBlkid is node i's scripted disk list, in blkid's export format.
func demoBlkid(i int) string {
	return fmt.Sprintf(`DEVNAME=/dev/sda1
LABEL=root-%[1]d
UUID=%08[1]d-aaaa-4bbb-8ccc-000000000001
TYPE=ext4

DEVNAME=/dev/sdb1
LABEL=backup\ %[1]d
UUID=%08[1]d-aaaa-4bbb-8ccc-000000000002
TYPE=xfs
`, i)
}

// queryJSON runs one command with --json and decodes its answer into v.
func queryJSON(socket, command string, v any) error {
	c, _, err := dial(socket, 2*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	ans, err := c.roundTrip(command+" --json", nil)
	if err != nil {
		return err
	}
	if !ans.OK() || len(ans.Lines) != 1 {
		return fmt.Errorf("%s: %s %s", command, ans.Code, ans.Message)
	}
	return json.Unmarshal([]byte(ans.Lines[0]), v)
}
