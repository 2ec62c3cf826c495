// Package lineproto is the one implementation of the line protocol between
// a local client and its daemon over the Unix socket (docs/protocol.md, part
// 2): the greeting, command lines (bounded, with quoted words), and answers
// (data lines with SMTP-style dot-stuffing closed by one status line, ".ok
// [SUMMARY]" or ".err CODE MESSAGE"). The daemon's Session, the client and
// the test harness all use it, so the two ends cannot drift apart. It also
// holds the command table from which help, completion and dispatch derive.
//
// Everything here takes values and returns values (or reads and writes a
// stream it is given): no sockets, no goroutines.
package lineproto

// Version is the line protocol's version, announced in the greeting.
const Version = 1

// Limits.
const (
	// MaxCommandLine bounds one command line in bytes, its LF excluded; the
	// daemon answers a longer one with ".err too-long" and skips it.
	MaxCommandLine = 4096
	// MaxAnswerLine bounds one answer line read by a client: a JSON answer is
	// a single line and may be large, but an endless line must not exhaust
	// memory.
	MaxAnswerLine = 16 << 20
)
