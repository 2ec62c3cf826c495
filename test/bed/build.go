package bed

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

// builds caches the daemon binaries built by this test process, one per
// flavour (plain or -race, and the build tags), so that every Bed of a test
// binary shares one build. They live in builds.dir, removed by Main.
var builds struct {
	sync.Mutex
	dir  string
	bins map[string]string
}

// Build describes a flavour of the daemon binary.
type Build struct {
	Race bool     // build with the race detector
	Tags []string // build tags, e.g. "diskd_testhooks" for the test-only hooks
	// Static builds with CGO_ENABLED=0 (Taskfile's release build): no libc
	// is mapped, which the idle memory benchmark measures. Not with Race.
	Static bool
}

// key names the flavour, for the cache and the file name.
func (f Build) key() string {
	tags := slices.Clone(f.Tags)
	slices.Sort(tags)
	k := "diskd-actors"
	if f.Race {
		k += "-race"
	}
	if f.Static {
		k += "-static"
	}
	for _, t := range tags {
		k += "-" + t
	}
	return k
}

// Binary builds ./cmd/diskd-actors once per test process (with -race when
// race is true) into a temporary directory and returns its path. Later calls
// return the same file. Benchmarks use a plain build: the race detector
// multiplies CPU and memory several times. DISKD_BED_BIN, when set, names a
// prebuilt daemon to use instead of building (for every flavour).
func Binary(tb testing.TB, race bool) string {
	tb.Helper()
	return BinaryOf(tb, Build{Race: race})
}

// BinaryOf is Binary for any flavour (race detector, build tags).
func BinaryOf(tb testing.TB, f Build) string {
	tb.Helper()
	bin, err := BuildBinary(f)
	if err != nil {
		tb.Fatalf("bed: %v", err)
	}
	return bin
}

// BuildBinary is BinaryOf without a test, for a TestMain that needs the
// path before any test runs. Main removes what it built.
func BuildBinary(f Build) (string, error) {
	if bin := os.Getenv("DISKD_BED_BIN"); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			return "", fmt.Errorf("DISKD_BED_BIN: %w", err)
		}
		return bin, nil
	}
	builds.Lock()
	defer builds.Unlock()
	key := f.key()
	if bin, ok := builds.bins[key]; ok {
		return bin, nil
	}
	if builds.dir == "" {
		dir, err := os.MkdirTemp("", "diskd-bed-bin-")
		if err != nil {
			return "", fmt.Errorf("temporary directory for the binary: %w", err)
		}
		builds.dir, builds.bins = dir, map[string]string{}
	}
	bin := filepath.Join(builds.dir, key)
	args := []string{"build"}
	if f.Race {
		args = append(args, "-race")
	}
	if len(f.Tags) > 0 {
		args = append(args, "-tags", strings.Join(f.Tags, ","))
	}
	args = append(args, "-o", bin, "github.com/diskd-actors/diskd-actors/cmd/diskd-actors")
	cmd := exec.Command("go", args...)
	cmd.Dir = sourceDir() // inside the module, whatever the working directory
	if f.Static {
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go %v: %v\n%s", args, err, out)
	}
	builds.bins[key] = bin
	return bin, nil
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
