// Package cluster is the pure part of the cluster transport (memberlist,
// unicast): the payloads daemons exchange through memberlist (codec.go),
// the AES keys derived from our keyring (keys.go), memberlist's node
// events mapped onto peer states (events.go) and memberlist's
// configuration from ours (profile.go). It holds no state and starts
// nothing; actors.ClusterServer owns the memberlist instance.
package cluster
