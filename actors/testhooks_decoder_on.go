//go:build diskd_testhooks

package actors

import "bytes"

// decoderPanicMagic starts a datagram that makes the decoder panic, so
// that tests can prove the reader survives one.
const decoderPanicMagic = "dskd-test-decoder-panic"

// decoderHook panics on decoderPanicMagic, inside the decode call.
func decoderHook(b []byte) {
	if bytes.HasPrefix(b, []byte(decoderPanicMagic)) {
		panic("decoder panic requested by a test hook")
	}
}
