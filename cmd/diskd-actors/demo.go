package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// runDemo starts a network of daemons on the loopback interface, each with
// a scripted disk list, waits until every daemon lists every disk, shows
// it, and keeps them running until interrupted. Nothing leaves the host:
// the daemons use interface lo, on a port no other daemon of the host
// uses. Whatever ends it (Ctrl-C, SIGTERM, SIGHUP, a broken pipe to tee
// or head, a daemon that dies), it stops its daemons and removes the
// directory it made; a daemon that dies is reported with the end of its
// log, and the exit status is then 2.
func runDemo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diskd-actors demo", flag.ContinueOnError)
	nodes := fs.Int("nodes", 3, "number of daemons, 1..50")
	dir := fs.String("dir", "", "working `directory`, kept afterwards (default: a new temporary directory, removed on exit)")
	port := fs.Int("port", 0, "multicast `port` on lo (default: a free one)")
	check := fs.Bool("check", false, "exit 0 once every daemon lists every disk (for scripts)")
	wait := fs.Duration("timeout", 20*time.Second, "how long to wait for every daemon to list every disk")
	if ok, code := parseFlags(fs, "demo [flags]", subcommandIntro["demo"], args, stdout, stderr); !ok {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "diskd-actors demo:", err)
		return exitError
	}
	if fs.NArg() > 0 {
		return fail(fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	if *nodes < 1 || *nodes > 50 {
		return fail(errors.New("--nodes must be 1..50"))
	}
	p, err := demoPort(*port)
	if err != nil {
		return fail(err)
	}
	exe, err := os.Executable()
	if err != nil {
		return fail(err)
	}
	// SIGPIPE too: "demo | tee" stopped by Ctrl-C loses tee first, and the
	// next write must not kill the demo before it has cleaned up.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	defer stop()

	d := &demo{exe: exe, dir: *dir, port: p, stderr: stderr}
	defer d.cleanup()
	if err := d.start(*nodes); err != nil {
		return fail(err)
	}
	cli := clientCommand(exe)
	daemons := "daemons"
	if *nodes == 1 {
		daemons = "daemon"
	}
	fmt.Fprintf(stdout, "started %d %s on lo (group 230.1.2.3 port %d), files in %s\n", *nodes, daemons, p, d.dir)
	took, code := d.converge(ctx, *wait)
	if code != exitOK {
		return code
	}
	sock := shellQuote(d.nodes[0].socket)
	fmt.Fprintf(stdout, "every daemon lists all %d disks after %v\n\n", d.want, took.Round(time.Millisecond))
	fmt.Fprintf(stdout, "$ %s --socket %s list\n", cli, sock)
	runOneShot(d.nodes[0].socket, false, []string{"list"}, nil, stdout, stderr)
	label := fmt.Sprintf("backup %d", *nodes)
	fmt.Fprintf(stdout, "\n$ %s --socket %s where %q\n", cli, sock, label)
	runOneShot(d.nodes[0].socket, false, []string{"where", label}, nil, stdout, stderr)
	if *check {
		return exitOK
	}
	fmt.Fprintf(stdout, "\nTry, in another terminal:\n")
	fmt.Fprintf(stdout, "  %s --socket %s              # the interactive prompt\n", cli, sock)
	fmt.Fprintf(stdout, "  %s --socket %s peers\n", cli, sock)
	fmt.Fprintf(stdout, "  %s %s   # edit demo1's disks, then:\n", editor(), shellQuote(d.nodes[0].blkid))
	fmt.Fprintf(stdout, "  %s --socket %s refresh\n", cli, sock)
	fmt.Fprintf(stdout, "  socat - UNIX-CONNECT:%s         # the line protocol itself\n", sock)
	fmt.Fprintln(stdout, "Press Ctrl-C to stop the daemons.")
	if code := d.watch(ctx); code != exitOK {
		return code
	}
	fmt.Fprintln(stdout, "stopping")
	return exitOK
}

// demoPort is the port asked for, refused when a socket of this host holds
// it already (another demo: both would see every peer twice, as
// CONFLICT), or a free one.
func demoPort(asked int) (int, error) {
	c, err := net.ListenPacket("udp4", fmt.Sprintf("0.0.0.0:%d", asked))
	if err != nil {
		if asked != 0 {
			return 0, fmt.Errorf("port %d is in use on this host (another demo?); leave out --port to pick a free one", asked)
		}
		return 0, fmt.Errorf("no free UDP port: %w", err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}

// converge polls every daemon until each lists every disk. A daemon that
// dies, a signal or the deadline ends it with a non-zero code.
func (d *demo) converge(ctx context.Context, wait time.Duration) (time.Duration, int) {
	start := time.Now()
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	poll := time.NewTicker(50 * time.Millisecond)
	defer poll.Stop()
	for {
		counts := make([]int, len(d.nodes))
		done := true
		for i, n := range d.nodes {
			var disks []json.RawMessage
			if err := queryJSON(n.socket, "list", &disks); err == nil {
				counts[i] = len(disks)
			}
			done = done && counts[i] == d.want
		}
		if done {
			return time.Since(start), exitOK
		}
		select {
		case <-poll.C:
		case n := <-d.died:
			return 0, d.reportDeath(ctx, n)
		case <-ctx.Done():
			fmt.Fprintln(d.stderr, "diskd-actors demo: interrupted before the daemons found each other")
			return 0, exitError
		case <-deadline.C:
			fmt.Fprintf(d.stderr, "diskd-actors demo: daemons did not converge in %v (disks listed: %v, want %d each)\n", wait, counts, d.want)
			d.printLog(d.nodes[0])
			return 0, exitError
		}
	}
}

// watch waits for a signal, or a daemon that dies.
func (d *demo) watch(ctx context.Context) int {
	select {
	case <-ctx.Done():
		return exitOK
	case n := <-d.died:
		return d.reportDeath(ctx, n)
	}
}

// reportDeath tells of a daemon that exited. Ctrl-C reaches the daemons
// too (one process group), and they may stop before the demo has seen its
// own signal: a death within a moment of one is the demo's own stop.
func (d *demo) reportDeath(ctx context.Context, n *demoNode) int {
	select {
	case <-ctx.Done():
		return exitOK
	case <-time.After(500 * time.Millisecond):
	}
	fmt.Fprintf(d.stderr, "diskd-actors demo: daemon %s exited (%v); the demo stops\n", n.name, n.err)
	d.printLog(n)
	return exitError
}

// printLog shows the end of a daemon's log, before its directory goes.
func (d *demo) printLog(n *demoNode) {
	b, err := os.ReadFile(n.log)
	if err != nil {
		return
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	fmt.Fprintf(d.stderr, "the end of %s's log:\n", n.name)
	for _, l := range lines {
		fmt.Fprintln(d.stderr, "  "+escapeControl(l))
	}
}

// editor is $VISUAL or $EDITOR, else vi: for the printed command.
func editor() string {
	for _, v := range []string{"VISUAL", "EDITOR"} {
		if e := os.Getenv(v); e != "" {
			return e
		}
	}
	return "vi"
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
