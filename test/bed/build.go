package bed

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

// builds caches the daemon binaries built by this test process, one per
// flavour (plain or -race), so that every Bed of a test binary shares one
// build. They live in buildDir, removed by Main.
var builds struct {
	sync.Mutex
	dir  string
	bins map[bool]string
}

// Binary builds ./cmd/diskd-actors once per test process (with -race when
// race is true) into a temporary directory and returns its path. Later calls
// return the same file. Benchmarks use a plain build: the race detector
// multiplies CPU and memory several times. DISKD_BED_BIN, when set, names a
// prebuilt daemon to use instead of building (for both flavours).
func Binary(tb testing.TB, race bool) string {
	tb.Helper()
	if bin := os.Getenv("DISKD_BED_BIN"); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			tb.Fatalf("bed: DISKD_BED_BIN: %v", err)
		}
		return bin
	}
	builds.Lock()
	defer builds.Unlock()
	if bin, ok := builds.bins[race]; ok {
		return bin
	}
	if builds.dir == "" {
		dir, err := os.MkdirTemp("", "diskd-bed-bin-")
		if err != nil {
			tb.Fatalf("bed: temporary directory for the binary: %v", err)
		}
		builds.dir, builds.bins = dir, map[bool]string{}
	}
	name, args := "diskd-actors", []string{"build"}
	if race {
		name, args = "diskd-actors-race", append(args, "-race")
	}
	bin := filepath.Join(builds.dir, name)
	args = append(args, "-o", bin, "github.com/diskd-actors/diskd-actors/cmd/diskd-actors")
	cmd := exec.Command("go", args...)
	cmd.Dir = sourceDir() // inside the module, whatever the working directory
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("bed: go %v: %v\n%s", args, err, out)
	}
	builds.bins[race] = bin
	return bin
}

// sourceDir is the directory of this file, inside the module.
func sourceDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "."
	}
	return filepath.Dir(file)
}

// removeBuilds deletes the binaries built by Binary.
func removeBuilds() {
	builds.Lock()
	defer builds.Unlock()
	if builds.dir != "" {
		os.RemoveAll(builds.dir)
		builds.dir, builds.bins = "", nil
	}
}

// Main is a TestMain for packages that use the bed: it runs the tests,
// fails the run if any goroutine outlives them (goleak), removes the
// binaries built by Binary and exits.
//
//	func TestMain(m *testing.M) { bed.Main(m) }
func Main(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		removeBuilds()
		os.Exit(code)
	}))
}
