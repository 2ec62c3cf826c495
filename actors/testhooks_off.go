//go:build !diskd_testhooks

package actors

// testHooks is off in production builds: "_panic" is an unknown command.
const testHooks = false
