//go:build diskd_testhooks

package actors

// testHooks turns on the test-only crash hooks: the "_panic" session
// command, and the middleware's panic on *messages.Crash (logPanics).
const testHooks = true
