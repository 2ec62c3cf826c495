// Package config holds the configuration of the diskd-actors daemon: one
// [Config] type, the defaults ([Default]), a profile with fast timers for
// tests and the demo ([Fast]), a loader for a YAML file ([Load], [Parse]) and
// a check that reports every problem at once ([Config.Validate]).
//
// Precedence is: defaults, then the file, then the command-line flags that
// were actually given. The daemon itself takes a *Config and has no flags.
//
// # File format
//
// Every key is optional; a file holding only comments is the defaults. The
// complete file, with the defaults ([Config.YAML] writes the same shape):
//
//	node: myhost                    # name announced to peers; default: the host name
//	socket: ~/.diskd-socket         # unix socket; "~/" is the home directory
//	multicast:
//	  group: 230.1.2.3              # IPv4 (224.0.0.0/4) or IPv6 (ff02::db%eth0, ff05::db)
//	  port: 32003                   # 1..65535
//	  interface: ""                 # "" is the system default; else a name such as eth0
//	  ttl: 1                        # 0..255; 1 keeps announcements on the LAN
//	  receive_buffer: 4194304       # bytes, 64 KiB..256 MiB; the kernel reports twice that
//	announce:
//	  interval: 30s                 # 100ms..24h
//	blkid:
//	  command: [blkid, -c, /dev/null, -o, export, -d]
//	  interval: 30s                 # 100ms..24h
//	  timeout: 15s                  # 10ms..10m
//	peer:
//	  timeout: 90s                  # 1s..72h and at least twice announce.interval
//	  forget_after: 168h            # 1m..8760h; a peer down this long is forgotten
//	state_file: ~/.diskd-state.yaml # an absolute path, "~/" is the home directory; "" disables persistence
//	mounts:
//	  interval: 10s                 # 100ms..24h
//	  file: /proc/self/mountinfo    # an absolute path; the mount table in mountinfo format
//	auth:
//	  keys: []                      # base64 keys of at least 16 bytes; the first signs, all verify
//	  key_files: []                 # absolute paths of files holding one base64 key each (chmod 600)
//	                                # inline keys need the file itself to be chmod 600
//	legacy:
//	  accept: false                 # opt-in: accept datagrams of the original Perl diskd (only without keys)
//	  announce: false               # also announce the inventory in the original's format
//	log:
//	  level: info                   # debug, info, warn or error
//	  format: text                  # text or json
//	limits:
//	  max_disks: 200000             # 1..10000000; disks of all peers together
//	  max_peers: 10000              # 1..100000; peers known at once
//	  max_bytes: 268435456          # 1 MiB..64 GiB; estimated bytes held for peers' disks
//	repair:
//	  startup_delay: 3s             # 0..60s; first send after [1/4, 1] of it (about 30ms a host)
//	  unit: 2ms                     # 100µs..100ms; requests wait d·U[1,3], d = unit × (peers+1)
//	socket_group: ""                # group owning the socket (name or number); "" keeps the daemon's
//	socket_mode: "0600"             # octal; 0660 lets socket_group's members query; never others
//
// Under systemd ($RUNTIME_DIRECTORY, $STATE_DIRECTORY set by the unit) the
// socket defaults to $RUNTIME_DIRECTORY/socket and the state file to
// $STATE_DIRECTORY/state.yaml. On SIGHUP the daemon applies [LiveKeys] and
// names the other changed keys as needing a restart ([Changes]).
//
// # Rules
//
//   - Unknown keys are errors that give the dotted key path and the line,
//     as in: config: line 3: unknown key "multicast.grup".
//   - Durations are Go duration strings ("500ms", "30s", "1m30s"); a bare
//     number such as 30 is an error rather than 30 nanoseconds.
//   - A key written with no value ("port:") is an error: delete the key to
//     keep its default. A section with no keys ("log:") keeps its defaults.
//   - A leading "~/" in socket or state_file is replaced by the home
//     directory when a file is loaded (not in mounts.file). The socket must
//     then be absolute and at most [MaxSocketPath] bytes, the limit of
//     sun_path in a unix socket address; state_file must be absolute, or ""
//     to disable persistence (no value, "state_file:", is an error).
//   - peer.timeout must be at least twice announce.interval, or peers flap
//     between alive and down; a file that raises announce.interval above 45s
//     must raise peer.timeout too.
//   - multicast.interface is checked for syntax only (at most
//     [MaxInterfaceLen] bytes, no '/', ':', spaces or control characters);
//     whether the interface exists is checked when the daemon starts.
//   - An IPv6 multicast group of link-local (ff02::) or interface-local
//     (ff01::) scope needs an interface: multicast.interface or a zone
//     (ff02::db%eth0), which must agree when both are given. The rules are
//     transport.ParseGroup's. legacy.accept and legacy.announce need an
//     IPv4 group: the original diskd speaks IPv4 only.
//   - Keys: with none (the default), datagrams are sent unsigned and only
//     unsigned ones are accepted. With keys, every datagram is signed with
//     HMAC-SHA256 and only datagrams signed with one of the keys are
//     accepted. The keyring is auth.keys then auth.key_files, in order: the
//     first key signs, every key verifies. To rotate, add the new key last
//     on every daemon, then move it first on every daemon, then remove the
//     old one. A key is standard base64, with or without padding, of at
//     least [MinKeySize] bytes (generate one with: head -c 32 /dev/urandom
//     | base64). Errors name a key by its path (auth.keys[1]), never by its
//     value. Key files are read when the daemon starts ([Config.Keyring]),
//     not when the file is loaded; each must be a regular file that group
//     and others can neither read nor write (chmod 600), holding one key;
//     whitespace around it is ignored.
//   - legacy.accept has no effect when keys are configured: the original
//     diskd's datagrams cannot be authenticated. Booleans are true or false
//     (not yes, no, on, off).
//   - The file holds one YAML document of at most [MaxFileSize] bytes.
//     Anchors, aliases and merge keys ("<<") work, within a bound on how far
//     they expand.
//
// # Errors
//
// [Load] and [Parse] return an [*Error] that lists every problem found, one
// per line, each a [*KeyError] with its key path and, where known, its line:
//
//	config: /etc/diskd.yaml: line 3: unknown key "multicast.grup" (known: group, port, interface, ttl, receive_buffer)
//	config: /etc/diskd.yaml: line 6: announce.interval: "30" is not a duration (use e.g. 30s)
//
// [Config.Validate] returns the same [*KeyError] values joined with
// [errors.Join], without lines:
//
//	multicast.group "10.0.0.1": not an IPv4 multicast address (224.0.0.0/4)
package config
