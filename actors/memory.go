package actors

import cmap "github.com/orcaman/concurrent-map"

// protoactor's process registry is 1,024 buckets, each a concurrent-map of
// SHARD_COUNT (32 by default) mutex-guarded Go maps: 32,768 maps, 2.8 MB of
// the 3.4 MB an idle daemon keeps on its heap, to index the dozen actors it
// runs. The registry's 1,024 buckets already spread the keys and their
// locks, so one shard per bucket loses no concurrency worth having here and
// leaves 1,024 maps (about 0.1 MB).
//
// The library reads SHARD_COUNT on every lookup, so it may change only
// before the first map exists: here, in init, which runs before any actor
// system can be made (nothing else in the binary uses concurrent-map).
func init() { cmap.SHARD_COUNT = registryShards }

// registryShards is the shard count of each process-registry bucket.
const registryShards = 1
