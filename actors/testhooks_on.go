//go:build diskd_testhooks

package actors

// testHooks enables the "_panic" session command, for tests of supervision.
const testHooks = true
