// Package statefile reads and writes the daemon's state file: what it knew
// (peers, where disks were last seen) kept across restarts.
//
// The file is JSON, one peer or sighting a line, versioned, and written by a
// streaming encoder so that a save never holds the document twice. It is
// outside input all the same (anyone who can write it feeds the daemon), so
// the loader is strict: one JSON object, no unknown or repeated fields, no
// trailing data, right types, valid UTF-8, every value within the limits the
// wire protocol applies. Errors give a byte offset (or a YAML line) and a
// reason, never the file's contents, so that pointing the daemon at a secret
// cannot copy it into a log. State files of the earlier YAML format still
// load; the next save writes JSON.
//
// The file operations are hardened the same way: the file is opened without
// following symlinks and without blocking, and only a regular file is read;
// saves are atomic (temporary file in the same directory, fsync, rename,
// fsync of the directory) and refused before they could produce a file
// larger than the loader accepts. Exclusive use of the file among daemons is
// the business of package lock.
package statefile
