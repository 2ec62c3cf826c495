//go:build !diskd_testhooks

package actors

// decoderHook does nothing in production builds.
func decoderHook([]byte) {}
