// Package wire is the datagram format between daemons: the version 2
// frame (magic, version, flags, JSON envelope, HMAC tag), the envelope's
// kinds and limits, inventory chunking and digests, and the original Perl
// diskd's YAML datagrams. It takes bytes and returns values; it holds no
// state and opens no sockets. wire.go describes the format and its history.
package wire
