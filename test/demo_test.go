package test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// demoRun is a demo process, its stdout read line by line as it comes.
type demoRun struct {
	t      *testing.T
	cmd    *exec.Cmd
	pipe   *os.File // the read end of its stdout
	stderr bytes.Buffer
	mu     sync.Mutex
	out    strings.Builder
	done   chan struct{} // closed when it exited
	err    error
}

// startDemo runs "demo ARGS" with its stdout on a pipe the test reads.
func startDemo(t *testing.T, env []string, args ...string) *demoRun {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	d := &demoRun{t: t, pipe: r, done: make(chan struct{})}
	d.cmd = exec.Command(bin, append([]string{"demo"}, args...)...)
	d.cmd.Env = append(append(os.Environ(), "HOME="+t.TempDir()), env...)
	d.cmd.Stdout, d.cmd.Stderr = w, &d.stderr
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			d.mu.Lock()
			d.out.WriteString(sc.Text() + "\n")
			d.mu.Unlock()
		}
	}()
	go func() { d.err = d.cmd.Wait(); close(d.done) }()
	t.Cleanup(func() {
		select {
		case <-d.done:
		default:
			d.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-d.done:
			case <-time.After(20 * time.Second):
				d.cmd.Process.Kill()
				<-d.done
			}
		}
		r.Close()
	})
	return d
}

func (d *demoRun) output() string { d.mu.Lock(); defer d.mu.Unlock(); return d.out.String() }

// waitOutput waits until stdout holds want.
func (d *demoRun) waitOutput(want string) {
	d.t.Helper()
	eventually(d.t, 60*time.Second, "demo prints "+want, func() bool {
		select {
		case <-d.done:
			d.t.Fatalf("demo exited (%v) before printing %q:\n%s\nstderr:\n%s", d.err, want, d.output(), d.stderr.String())
		default:
		}
		return strings.Contains(d.output(), want)
	})
}

// exit waits for the demo to end and returns its exit code.
func (d *demoRun) exit() int {
	d.t.Helper()
	select {
	case <-d.done:
	case <-time.After(30 * time.Second):
		d.t.Fatalf("demo did not exit:\n%s\nstderr:\n%s", d.output(), d.stderr.String())
	}
	if ee, ok := d.err.(*exec.ExitError); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			d.t.Fatalf("demo killed by %v, want an exit after cleaning up\nstderr:\n%s", ws.Signal(), d.stderr.String())
		}
		return ee.ExitCode()
	}
	if d.err != nil {
		d.t.Fatal(d.err)
	}
	return 0
}

var demoDirLine = regexp.MustCompile(`files in (\S+)`)

// dir is the directory the demo announced.
func (d *demoRun) dir() string {
	d.t.Helper()
	d.waitOutput("files in ")
	m := demoDirLine.FindStringSubmatch(d.output())
	if m == nil {
		d.t.Fatalf("no directory in %q", d.output())
	}
	return m[1]
}

// assertRemoved checks that the demo left no directory behind.
func assertRemoved(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("demo directory %s still there (%v), want it removed", dir, err)
	}
}

// Two demos at once pick different ports and do not see each other; the
// commands the first prints run as printed; Ctrl-C removes its files.
func TestDemo_TwoAtOnceAndCommandsAsPrinted(t *testing.T) {
	t.Parallel()
	first := startDemo(t, nil, "--nodes", "2")
	dir := first.dir()
	first.waitOutput("Press Ctrl-C")

	out, errs, code := runClient(t, "demo", "--check", "--nodes", "2")
	if code != 0 || !strings.Contains(out, "every daemon lists all 4 disks") || strings.Contains(out, "CONFLICT") {
		t.Errorf("second demo beside the first: exit %d\n%s\nstderr %s\nwant exit 0, 4 disks each, no conflict", code, out, errs)
	}
	if p1, p2 := demoPortOf(t, first.output()), demoPortOf(t, out); p1 == p2 {
		t.Errorf("both demos on port %d", p1)
	}
	_, errs, code = runClient(t, "demo", "--check", "--nodes", "1", "--port", strconv.Itoa(demoPortOf(t, first.output())))
	if code == 0 || !strings.Contains(errs, "in use") {
		t.Errorf("a demo on the first's port: exit %d, stderr %q; want a refusal naming the port in use", code, errs)
	}

	var cmds []string
	for _, l := range strings.Split(first.output(), "\n") {
		if c, ok := strings.CutPrefix(l, "$ "); ok {
			cmds = append(cmds, c)
		}
		if c, ok := strings.CutPrefix(l, "  "+bin); ok && strings.HasSuffix(c, "peers") {
			cmds = append(cmds, bin+c)
		}
	}
	if len(cmds) != 3 || !strings.HasPrefix(cmds[0], bin+" --socket ") {
		t.Fatalf("printed commands %q: want list, where and peers, each starting with the binary's path %s", cmds, bin)
	}
	for _, c := range cmds {
		out, err := exec.Command("bash", "-c", c).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "demo") {
			t.Errorf("printed command %q: %v\n%s", c, err, out)
		}
	}

	first.cmd.Process.Signal(os.Interrupt)
	if code := first.exit(); code != 0 {
		t.Errorf("demo after Ctrl-C: exit %d, want 0\nstderr: %s", code, first.stderr.String())
	}
	assertRemoved(t, dir)
}

func demoPortOf(t *testing.T, out string) int {
	t.Helper()
	m := regexp.MustCompile(`port (\d+)\)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no port in demo output %q", out)
	}
	p, _ := strconv.Atoi(m[1])
	return p
}

// SIGTERM, and Ctrl-C once the reader of its output is gone (demo | tee,
// both interrupted), stop the daemons and remove the directory.
func TestDemo_CleansUpOnSIGTERMAndBrokenPipe(t *testing.T) {
	t.Parallel()
	term := startDemo(t, nil, "--nodes", "1")
	termDir := term.dir()
	term.waitOutput("Press Ctrl-C")
	term.cmd.Process.Signal(syscall.SIGTERM)
	if code := term.exit(); code != 0 {
		t.Errorf("demo after SIGTERM: exit %d, want 0", code)
	}
	assertRemoved(t, termDir)

	piped := startDemo(t, nil, "--nodes", "1")
	pipedDir := piped.dir()
	piped.waitOutput("Press Ctrl-C")
	piped.pipe.Close() // tee is gone: the next write breaks the pipe
	piped.cmd.Process.Signal(os.Interrupt)
	piped.exit() // fails the test if SIGPIPE killed it
	assertRemoved(t, pipedDir)
}

// A daemon of the demo that dies is reported, and the demo exits non-zero
// having cleaned up.
func TestDemo_ReportsADaemonThatDies(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil, "--nodes", "2")
	dir := d.dir()
	d.waitOutput("Press Ctrl-C")
	pid := pidRunning(t, filepath.Join(dir, "demo2", "config.yaml"))
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if code := d.exit(); code == 0 {
		t.Errorf("demo after its daemon died: exit 0, want non-zero")
	}
	if errs := d.stderr.String(); !strings.Contains(errs, "daemon demo2 exited") || !strings.Contains(errs, "demo2's log") {
		t.Errorf("demo's stderr %q: want it to name demo2 and show its log", errs)
	}
	assertRemoved(t, dir)
}

// A daemon that cannot start (its socket path is too long for a Unix
// socket) is reported, and the directory still goes.
func TestDemo_DaemonFailingToStart(t *testing.T) {
	t.Parallel()
	tmp := filepath.Join(t.TempDir(), strings.Repeat("x", 120))
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	d := startDemo(t, []string{"TMPDIR=" + tmp}, "--nodes", "1", "--check")
	dir := d.dir()
	if code := d.exit(); code == 0 {
		t.Fatalf("demo whose daemon cannot start: exit 0, want non-zero\n%s", d.output())
	}
	if errs := d.stderr.String(); !strings.Contains(errs, "daemon demo1 exited") {
		t.Errorf("demo's stderr %q: want it to report demo1's exit", errs)
	}
	assertRemoved(t, dir)
}

// pidRunning finds the process whose command line names file (a config
// file in a directory of this test's own), by /proc.
func pidRunning(t *testing.T, file string) int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc to find the demo's daemon in: %v", err)
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(b, []byte(file+"\x00")) {
			return pid
		}
	}
	t.Fatalf("no process runs with %s", file)
	return 0
}

// Run by go run, the demo prints "go run ./cmd/diskd-actors …", which works
// from the repository root, rather than the path of a temporary binary.
func TestDemo_ViaGoRunPrintsGoRun(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: go run builds the binary")
	}
	cmd := exec.Command("go", "run", "./cmd/diskd-actors", "demo", "--check", "--nodes", "1")
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go run … demo --check: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "\n$ go run ./cmd/diskd-actors --socket ") || strings.Contains(string(out), "/exe/diskd-actors") {
		t.Errorf("demo via go run printed:\n%s\nwant commands starting \"go run ./cmd/diskd-actors\", not the temporary binary", out)
	}
}
