// Package mountinfo reads the kernel's mount table (/proc/self/mountinfo,
// proc(5)) and notices when it changes.
//
// It holds no actor code and no state: MountWatcher (package actors) owns
// the schedule, remembers what it last sent and tells Info. Here are the
// pieces that take bytes or a path and return values, so that they can be
// tested and fuzzed without an actor system:
//
//   - Parse turns the table's text into entries, decoding the kernel's octal
//     escapes, and rejects the whole table, naming the line, when any line
//     is malformed or a limit is exceeded.
//   - Read opens, checks (a regular file, never a FIFO that would hang)
//     and parses a table file; ResolveSource follows a source's symbolic
//     links so that it matches blkid's device names.
//   - Watch is a thin poll(2) loop that reports the kernel's change signal
//     (POLLPRI on the open table) through a callback.
//
// Parser fixtures are testdata/<case>.txt with the expected result in
// <case>.golden.json; `go test ./actors/mountinfo -update` rewrites those
// from what Parse returns.
package mountinfo
