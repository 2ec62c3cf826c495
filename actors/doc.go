// Package actors is the daemon: a small tree of protoactor-go actors, one
// per part of the original diskd's POE sessions, each able to fail and
// restart without the others losing what they hold. The logic they run
// lives in pure packages below this one; the actors hold behaviour: timers,
// goroutines, sockets and the messages between them.
//
// # Supervision tree
//
//	daemon (supervisorActor; backoffStrategy: 3 restarts at once a minute, then 0.5 s doubling to 30 s)
//	├── info           all knowledge: local disks, peers, sightings, debug subscribers
//	├── disk_watcher   runs blkid (package blkid) on a schedule and on Rescan
//	├── mount_watcher  reads /proc/self/mountinfo (package mountinfo)
//	├── hotplug        the kernel's device events (package uevent): a rescan at once
//	├── multicast      drives the protocol engine (package gossip) over a transport.Transport
//	├── mount_server   decides and runs remote mount requests (packages mountpolicy, mountrun)
//	├── mount_requester asks a disk's holder to mount it, and waits for its answer
//	├── cluster        the memberlist transport (package cluster); only with cluster.enabled
//	├── sockets        the Unix listener; one child per connection:
//	│   └── session-N  (stopStrategy: stopped, never restarted)
//	├── state_store    saves Info's snapshot (package statefile); only with a state file
//	└── http           /metrics and the web page (package web); only with http.listen
//
// Every actor's props carry one receiver middleware (supervision.go) that
// logs a panic with its stack and, in builds with the diskd_testhooks tag,
// turns a messages.Crash into a panic.
//
// # Message flow
//
//	blkid ─> disk_watcher ─ScanFinished─> info <─MountsScanned─ mount_watcher
//	LAN ─> reader goroutine ─decoded─> multicast ─(gossip.Engine actions)─> info: PeerAnnounced, PeerLeft
//	info ─LocalDisksChanged, PeerDiscovered─> multicast ─> LAN
//	info ─StateChanged─> state_store ─GetStateSnapshot─> info
//	Unix socket ─> session-N ─queries─> info, disk_watcher (Rescan), multicast (Ping)
//	info ─Event─> session-N (debug)
//
// # What survives which restart
//
// Info's knowledge lives in a value handed only to Info's producer, so a
// restarted Info keeps it; a handler builds new values and swaps them in,
// so a panic part-way leaves it as it was. Counters (stats), supervision
// records (health), sequence numbers and generations live in the daemon's
// deps and never go backwards. A restarted multicast starts a fresh engine
// and seeds it from Info (GetPeerGenerations), so peers' inventories are not
// asked for again; anything in flight is rebuilt by asking. A restarted
// sockets stops its sessions (their clients see the connection close).
//
// docs/architecture.md draws all of this in full.
package actors
