package actors

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/actors/lock"
	"github.com/diskd-actors/diskd-actors/actors/statefile"
	"github.com/diskd-actors/diskd-actors/actors/transport"
	"github.com/diskd-actors/diskd-actors/config"
	"github.com/diskd-actors/diskd-actors/messages"
)

// Options configure a daemon. Only Config is required.
type Options struct {
	Config  *config.Config
	Version string
	Log     *slog.Logger
	// Transport opens the datagram transport; nil means multicast (IPv4 or IPv6) as
	// configured. Tests pass an in-memory fake.
	Transport func() (transport.Transport, error)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// StatePacing paces state-file saves; zero durations are
	// statefile.DefaultPacing's.
	StatePacing statefile.Pacing
	// Ticks drives Info's timers; nil means real time. A test that moves
	// Now moves these too.
	Ticks TickSource
	// Level is Log's level, set on reload (log.level); nil keeps it fixed.
	Level *slog.LevelVar
	// ListenUevents opens the kernel's device event socket for Hotplug;
	// nil means uevent.Listen. Tests make it fail.
	ListenUevents func(rcvbuf int) (UeventSource, error)
}

// Daemon is a running diskd-actors daemon: an actor system with the tree
//
//	daemon ─┬─ info
//	        ├─ disk_watcher
//	        ├─ multicast
//	        └─ sockets ── session-N …
//
// Start returns once the socket listens and the multicast group is joined.
type Daemon struct {
	sys  *actor.ActorSystem
	top  *actor.PID
	id   identity
	deps *deps
	stop sync.Once
	cfg  *config.Config // the settings in force, changed by Reload alone
}

// deps is what the daemon hands to every actor it spawns. Values that must
// outlive a restart of one actor (counters, the announce
// sequence) live here rather than in the actor.
type deps struct {
	cfg    *config.Config
	id     identity
	log    *slog.Logger
	root   *actor.RootContext
	pids   pids
	stats  *stats
	health *health
	now    func() time.Time
	ticks  TickSource
	seq    atomic.Uint64 // datagram sequence numbers, never reused by an instance
	gen    atomic.Uint64 // inventory generations, never reused by an instance
	// settings are the live settings at start, the keyring among them; a
	// reload reaches the parts as ApplySettings, and a restarted part asks
	// for the current ones (never read keys from here after Started).
	settings messages.Settings
	level    *slog.LevelVar // nil: the log level is fixed
	runIDs   atomic.Uint64  // blkid run ids
	// blkidOK: a blkid run has succeeded since Start, so a local disk list
	// exists for a failed run to keep (DiskWatcher's restarts keep it).
	blkidOK atomic.Bool

	state  *stateFile       // the state file's path and lock
	pacing statefile.Pacing // of state-file saves

	socket       handover[*unixListener]
	socketLock   *lock.Lock // <socket>.lock, held from Start to the end of Stop
	transport    handover[transport.Transport]
	newTransport func() (transport.Transport, error)
	httpListener handover[net.Listener] // http.listen, taken by Start; see http_server.go

	mount         mountStats                             // MountServer's and MountRequester's counters
	hotplug       hotplugStats                           // Hotplug's state and counters
	listenUevents func(rcvbuf int) (UeventSource, error) // opens Hotplug's socket

	cluster *clusterCounts // ClusterServer's counters; nil without cluster.enabled
}

// pids addresses the parts by name, so messages reach a part across its
// restarts.
type pids struct {
	info, diskWatcher, mountWatcher, multicast, sockets *actor.PID
	mountServer, mountRequester                         *actor.PID // remote mount
	stateStore                                          *actor.PID // nil without a state file
	http                                                *actor.PID // nil without http.listen
	cluster                                             *actor.PID // nil without cluster.enabled
}

// ErrDaemonRunning is returned by Start when a live daemon already listens
// on the configured socket.
var ErrDaemonRunning = errors.New("actors: another daemon is listening on the socket")

// Start validates the configuration, takes the socket and joins the
// multicast group, then spawns the actor tree.
func Start(opts Options) (*Daemon, error) {
	cfg := opts.Config
	if cfg == nil {
		return nil, errors.New("actors: no config")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	d := &deps{cfg: cfg, log: log, stats: newStats(), health: newHealth(), now: now, ticks: opts.Ticks}
	if cfg.HTTP.Listen != "" {
		d.stats.http = newHTTPStats(cfg.HTTP.Listen)
	}
	d.listenUevents = opts.ListenUevents
	if d.listenUevents == nil {
		d.listenUevents = defaultListenUevents
	}
	info := newInfoState() // Info's alone: handed to its producer only
	keys, err := cfg.Keyring()
	if err != nil {
		return nil, err
	}
	d.settings, d.level = settingsOf(cfg, keys), opts.Level
	info.warnings = warnings(d.settings)
	st, err := openStateFile(cfg, log, now())
	if err != nil {
		return nil, err
	}
	started := false
	defer func() {
		if !started {
			st.release()
		}
	}()
	d.state, d.pacing = st, opts.StatePacing
	if st.snap != nil {
		info = restoreState(st.snap, cfg.Node, cfg.Limits)
		st.snap = nil
	}
	d.id = identity{Node: cfg.Node, Instance: newInstanceID(), Version: opts.Version,
		Socket: cfg.Socket, Group: cfg.Multicast.Group, Interface: cfg.Multicast.Interface, Started: now()}

	// The group is joined before the socket listens, so that a client that
	// can connect knows the daemon hears its peers.
	d.newTransport = opts.Transport
	if d.newTransport == nil {
		mc := cfg.Multicast
		link := transport.NewHealth() // outlives every transport MulticastServer opens
		d.stats.link = link
		d.newTransport = func() (transport.Transport, error) {
			return transport.OpenMulticast(mc.Group, mc.Port, mc.Interface, mc.TTL,
				transport.WithLogger(log.With("part", "transport")), transport.WithHealth(link), transport.WithClock(now),
				transport.WithReceiveBuffer(mc.ReceiveBuffer))
		}
	}
	if d.socketLock, err = lockSocket(cfg.Socket); err != nil {
		return nil, err
	}
	tr, err := d.newTransport()
	if err != nil {
		d.socketLock.Release()
		return nil, fmt.Errorf("multicast: %w", err)
	}
	ln, err := listenUnix(cfg.Socket, socketAccessOf(cfg))
	if err != nil {
		tr.Close()
		d.socketLock.Release()
		return nil, err
	}
	closeHTTP, err := listenHTTP(d)
	if err != nil {
		ln.closeAndRemove()
		tr.Close()
		d.socketLock.Release()
		return nil, err
	}
	d.socket.put(ln)
	d.transport.put(tr)

	sys := actor.NewActorSystem(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
			return slog.New(minLevel{log.Handler(), slog.LevelWarn}).With("lib", "protoactor")
		}),
		actor.WithDeadLetterThrottleInterval(10*time.Millisecond),
	)
	d.root = sys.Root
	d.pids = pids{
		info:         sys.NewLocalPID("daemon/info"),
		diskWatcher:  sys.NewLocalPID("daemon/disk_watcher"),
		mountWatcher: sys.NewLocalPID("daemon/mount_watcher"),
		multicast:    sys.NewLocalPID("daemon/multicast"),
		sockets:      sys.NewLocalPID("daemon/sockets"),
	}
	d.pids.mountServer = sys.NewLocalPID("daemon/mount_server")
	d.pids.mountRequester = sys.NewLocalPID("daemon/mount_requester")
	if st.on() {
		d.pids.stateStore = sys.NewLocalPID("daemon/state_store")
	}
	if cfg.HTTP.Listen != "" {
		d.pids.http = sys.NewLocalPID("daemon/http")
	}
	if cfg.Cluster.Enabled {
		d.pids.cluster = sys.NewLocalPID("daemon/cluster")
	}
	strategy := &backoffStrategy{health: d.health, log: log}
	props := actor.PropsFromProducer(func() actor.Actor { return &supervisorActor{d: d, info: info, current: d.settings} },
		actor.WithSupervisor(strategy), actor.WithGuardian(strategy), actor.WithReceiverMiddleware(logPanics(log)))
	top, err := sys.Root.SpawnNamed(props, "daemon")
	if err != nil {
		closeHTTP()
		ln.closeAndRemove()
		tr.Close()
		d.socketLock.Release()
		return nil, err
	}
	if _, err := sys.Root.RequestFuture(top, &ready{}, 10*time.Second).Result(); err != nil {
		return nil, fmt.Errorf("actors: daemon did not start: %w", err)
	}
	log.Info("daemon started", "node", d.id.Node, "instance", d.id.Instance,
		"socket", cfg.Socket, "group", cfg.Multicast.Group, "port", cfg.Multicast.Port,
		"interface", cfg.Multicast.Interface, "version", opts.Version)
	if len(keys) == 0 {
		log.Warn(noKeysWarning)
	}
	started = true
	return &Daemon{sys: sys, top: top, id: d.id, deps: d, cfg: cfg}, nil
}

// Instance returns the instance id chosen at start.
func (dm *Daemon) Instance() string { return dm.id.Instance }

// Stop stops every actor (peers are told goodbye, the socket file is
// removed), saves the state file, and stops the system.
func (dm *Daemon) Stop() { dm.stop.Do(dm.stopOnce) }

func (dm *Daemon) stopOnce() {
	d := dm.deps
	res, snapErr := dm.sys.Root.RequestFuture(d.pids.info, &messages.GetStateSnapshot{}, 5*time.Second).Result()
	if err := dm.sys.Root.PoisonFuture(dm.top).Wait(); err != nil {
		d.log.Warn("daemon did not stop in time", "error", err)
	}
	dm.sys.Shutdown()
	d.socketLock.Release() // the socket file is gone: a new daemon may take the path
	if d.state.on() {
		snap, ok := res.(*messages.StateSnapshot)
		if snapErr != nil || !ok {
			d.log.Error("state not saved at stop: Info did not answer", "error", snapErr)
		} else if _, err := saveState(d, d.state.path, snap); err != nil {
			d.log.Error("state not saved at stop", "file", d.state.path, "error", err)
		}
	}
	d.state.release()
	dm.deps.log.Info("daemon stopped")
}

// Run starts a daemon and stops it when ctx ends.
func Run(ctx context.Context, opts Options) error {
	dm, err := Start(opts)
	if err != nil {
		return err
	}
	<-ctx.Done()
	dm.Stop()
	return nil
}

func newInstanceID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b[:])
}

// ready asks the supervisor to answer once its children are spawned.
type ready struct{}

// supervisorActor is the parent of the parts; its strategy restarts a
// failing part alone, backing off when it keeps failing.
type supervisorActor struct {
	d       *deps
	info    *infoState // passed on to Info's producer, read by nobody else
	current messages.Settings
}

func (s *supervisorActor) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		d := s.d
		for _, child := range []struct {
			name  string
			props *actor.Props
		}{
			{"info", newInfoProps(d, s.info)},
			{"disk_watcher", newDiskWatcherProps(d)},
			{"mount_watcher", newMountWatcherProps(d)},
			{"hotplug", newHotplugProps(d)},
			{"multicast", newMulticastProps(d)},
			{"mount_server", newMountServerProps(d)},
			{"mount_requester", newMountRequesterProps(d)},
			{"cluster", newClusterProps(d)}, // nil without cluster.enabled
			{"sockets", newSocketFactoryProps(d)},
			{"state_store", newStateStoreProps(d)},
			{"http", newHTTPProps(d)}, // after info, which it subscribes to
		} {
			if child.props == nil {
				continue
			}
			if _, err := c.SpawnNamed(child.props, child.name); err != nil {
				panic(fmt.Sprintf("spawn %s: %v", child.name, err))
			}
		}
		c.Send(d.pids.info, &treeStarted{}) // every part exists now
	case *ready:
		c.Respond(&ready{})
	case *messages.ApplySettings:
		s.current = m.Settings
		setLevel(s.d.level, m.Settings.LogLevel, s.d.log)
		applied(c, "daemon")
	case *messages.GetSettings:
		c.Respond(&messages.ApplySettings{Settings: s.current})
	case *messages.CheckHealth:
		c.Respond(&messages.Healthy{Part: "daemon"})
	}
}

// handover passes a resource acquired by Start to the first instance of an
// actor; later instances (after a restart) acquire their own.
type handover[T any] struct {
	ch chan T
}

func (h *handover[T]) put(v T) {
	h.ch = make(chan T, 1)
	h.ch <- v
}

func (h *handover[T]) take() (T, bool) {
	select {
	case v := <-h.ch:
		return v, true
	default:
		var zero T
		return zero, false
	}
}

// minLevel drops records below a level; protoactor logs its lifecycle at
// Info, which is noise in the daemon's log.
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(a), h.min}
}
func (h minLevel) WithGroup(n string) slog.Handler { return minLevel{h.Handler.WithGroup(n), h.min} }
