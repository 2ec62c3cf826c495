// Package blkid finds the filesystems of a host by running util-linux
// blkid, and reads and writes what blkid prints.
//
// It holds no actor code and no state: DiskWatcher (package actors) decides
// when to scan and what to do with the result, this package only does one
// scan. Keeping it apart lets the parser be tested and fuzzed on bytes
// alone, and the runner on fake scripts, without an actor system.
//
//   - Parse reads blkid's output, in the full and export formats, encoded
//     or raw (-d), and rejects it whole when anything is wrong (a *ParseError),
//     so that a caller keeps its last good list instead of half of a new one.
//   - Run runs the command under a timeout, in its own process group that is
//     killed whole, with its output capped; a failure is a *RunError whose
//     Kind tells a missing program from a hung or failing one.
//   - Scan is Run then Parse; Outcome names its result for status.
//   - Encode prints disks as blkid would: the one encoder that tests and
//     fake blkid scripts use, so that they feed the daemon what the real
//     program prints.
//
// Parser fixtures are testdata/<format>_<raw|escaped>_<case>.txt with the
// expected result in <case>.golden.json; `go test ./actors/blkid -update`
// rewrites those from what Parse returns.
package blkid
