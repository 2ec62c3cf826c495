package main

// The demo's daemons: their files, their processes, and the command line
// the demo prints for talking to them.

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/diskd-actors/diskd-actors/config"
)

// stopTimeout bounds a daemon's clean stop before it is killed.
const stopTimeout = 10 * time.Second

// demo is one run of the demo.
type demo struct {
	exe    string // this binary, which the daemons run
	dir    string // where their files live
	ownDir bool   // dir was made here, and is removed on exit
	port   int
	stderr io.Writer
	nodes  []*demoNode
	want   int            // disks each daemon lists once converged
	died   chan *demoNode // a daemon exited
}

// demoNode is one daemon of the demo.
type demoNode struct {
	name, socket, blkid, log string
	cmd                      *exec.Cmd
	exited                   chan struct{} // closed once cmd.Wait returned
	err                      error         // cmd.Wait's, set before exited closes
}

// start writes every daemon's files and starts them.
func (d *demo) start(nodes int) error {
	if d.dir == "" {
		dir, err := os.MkdirTemp("", "diskd-demo-")
		if err != nil {
			return err
		}
		d.dir, d.ownDir = dir, true
	}
	d.died = make(chan *demoNode, nodes)
	for i := range nodes {
		n, err := d.startNode(i + 1)
		if err != nil {
			return err
		}
		d.nodes = append(d.nodes, n)
	}
	return nil
}

// startNode writes daemon i's configuration, disk list and mount table
// and starts it, its output in daemon.log.
func (d *demo) startNode(i int) (*demoNode, error) {
	name := fmt.Sprintf("demo%d", i)
	home := filepath.Join(d.dir, name)
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, err
	}
	n := &demoNode{name: name, socket: filepath.Join(d.dir, name+".sock"), blkid: filepath.Join(home, "blkid.txt"),
		log: filepath.Join(home, "daemon.log"), exited: make(chan struct{})}
	disks := demoBlkid(i)
	d.want += strings.Count(disks, "DEVNAME=")
	cfg := config.Fast()
	cfg.Node = name
	cfg.Socket = n.socket
	cfg.Multicast.Port = d.port
	cfg.Multicast.Interface = "lo"
	cfg.Announce.Interval = 5 * time.Second
	cfg.Blkid.Interval = 5 * time.Second
	cfg.Peer.Timeout = 15 * time.Second
	cfg.Blkid.Command = []string{"cat", n.blkid}
	cfg.StateFile = filepath.Join(home, "state.yaml")
	cfg.Mounts.File = filepath.Join(home, "mountinfo")
	b, err := cfg.YAML()
	if err != nil {
		return nil, err
	}
	cfgFile := filepath.Join(home, "config.yaml")
	for _, f := range []struct {
		path string
		data []byte
	}{{n.blkid, []byte(disks)}, {cfg.Mounts.File, nil}, {cfgFile, b}} {
		if err := os.WriteFile(f.path, f.data, 0o600); err != nil {
			return nil, err
		}
	}
	logf, err := os.Create(n.log)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	n.cmd = exec.Command(d.exe, "daemon", "--config", cfgFile)
	n.cmd.Stdout, n.cmd.Stderr = logf, logf
	if err := n.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	go func() {
		n.err = n.cmd.Wait()
		close(n.exited)
		d.died <- n
	}()
	return n, nil
}

// cleanup stops the daemons that still run (SIGTERM, then SIGKILL after
// stopTimeout) and removes the directory if the demo made it.
func (d *demo) cleanup() {
	for _, n := range d.nodes {
		n.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, n := range d.nodes {
		select {
		case <-n.exited:
		case <-time.After(stopTimeout):
			n.cmd.Process.Kill()
			<-n.exited
		}
	}
	if d.ownDir {
		if err := os.RemoveAll(d.dir); err != nil {
			fmt.Fprintln(d.stderr, "diskd-actors demo: removing its files:", err)
		}
	}
}

// clientCommand is how a user runs this binary as printed: plain
// "diskd-actors" when that is on the PATH, "go run" of the package when
// it was built by go run (its binary is a temporary file), else its path.
func clientCommand(exe string) string {
	if isGoRunBinary(exe) {
		wd, _ := os.Getwd()
		return "go run " + goRunPackage(wd)
	}
	if p, err := exec.LookPath("diskd-actors"); err == nil && sameFile(p, exe) {
		return "diskd-actors"
	}
	return shellQuote(exe)
}

// isGoRunBinary reports whether exe is what go run builds and runs.
func isGoRunBinary(exe string) bool {
	return goRunPath.MatchString(filepath.ToSlash(exe))
}

// goRunPath is where go run puts its binary: $WORK/bNNN/exe/NAME, $WORK a
// temporary go-buildNNN directory, or (Go 1.24 on) the build cache's
// $GOCACHE/xx/HASH-d/NAME.
var goRunPath = regexp.MustCompile(`(/go-build[0-9]+/b[0-9]+/exe|/[0-9a-f]{2}/[0-9a-f]{64}-d)/[^/]+$`)

// goRunPackage is the path of cmd/diskd-actors relative to wd, found by
// walking up to this module's go.mod: "./cmd/diskd-actors" at the root,
// "." in the package itself.
func goRunPackage(wd string) string {
	const fallback = "./cmd/diskd-actors"
	for dir := wd; ; dir = filepath.Dir(dir) {
		if isThisModule(filepath.Join(dir, "go.mod")) {
			rel, err := filepath.Rel(wd, filepath.Join(dir, "cmd", "diskd-actors"))
			if err != nil {
				return fallback
			}
			if rel != "." && !strings.HasPrefix(rel, "..") {
				rel = "./" + rel
			}
			return shellQuote(rel)
		}
		if filepath.Dir(dir) == dir {
			return fallback
		}
	}
}

// isThisModule reports whether the go.mod at path declares this module.
func isThisModule(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if mod, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(mod), `"`) == "github.com/diskd-actors/diskd-actors"
		}
	}
	return false
}

func sameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./+:,@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
