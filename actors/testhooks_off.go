//go:build !diskd_testhooks

package actors

// testHooks is off in production builds: "_panic" is an unknown command,
// and a *messages.Crash is ignored.
const testHooks = false
