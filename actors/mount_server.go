package actors

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/actors/mountpolicy"
	"github.com/diskd-actors/diskd-actors/actors/mountrun"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// MountServer is the holder's side of remote mount: it decides a peer's
// request to mount or unmount one of this host's disks, runs mount or
// umount, audits and answers.
//
// A request passes, in order: authentication (keys configured, so the
// frame was verified), the requester's rate, the clock window of its At,
// the one-time id (replay cache), the policy's presence and the limit of
// runs in flight; then Info's local disks name the disk, and
// mountpolicy decides. Each refusal is counted by reason in status and
// answered (the engine's per-source rate limit bounds the answers a
// flood can draw: one per request let through). One audit
// line per request with its decision, one more per run with its outcome.
//
// Runs happen on goroutines (mount_run.go) whose results come back as
// mountRan; after a run MountWatcher is told to read the table at once,
// so peers list the new state within a second. The replay cache lives in
// deps and survives a restart; a request made before the daemon started
// is refused, so a restart of the daemon, which empties the cache, does
// not open a window for replays either.
//
// In: mountIn (from MulticastServer), mountRan (own goroutines). Out:
// mountOut to MulticastServer, MountTableChanged to MountWatcher.
type MountServer struct {
	d       *deps
	log     *slog.Logger
	ids     *mountpolicy.ReplayCache
	rate    *mountpolicy.RequesterRate
	running map[string]bool // devices being mounted or unmounted
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// Bounds and windows of the holder.
const (
	// mountClockSkew: a request's At may differ this much from the
	// holder's clock; replay ids are kept twice as long.
	mountClockSkew = time.Minute
	maxReplayIDs   = 4096
	maxRequesters  = 256
	// requesterBurst requests at once, then one per requesterEvery.
	requesterBurst = 16
	requesterEvery = time.Second
	maxMountRuns   = 4
	// maxReason bounds a reason sent back, in bytes.
	maxReason = 300
)

// Refusal reasons, as counted in status (mount.refused).
const (
	mountUnauthenticated = "unauthenticated"
	mountRateLimited     = "rate_limited"
	mountStale           = "stale"
	mountReplay          = "replay"
	mountBusy            = "busy"
	mountPolicy          = "policy"
	mountNotFound        = "not_found"
	mountAmbiguous       = "ambiguous"
)

// mountIn is a mount or mount-result addressed to this node: from the
// wire (authenticated: keys are configured, so its frame was verified) or
// from this daemon itself (local).
type mountIn struct {
	env           *wire.Envelope
	src           string
	authenticated bool
	local         bool
}

// mountOut asks MulticastServer to send env (filling in the sender's
// fields), or to hand it straight back when it is addressed to this node.
type mountOut struct{ env *wire.Envelope }

// mountRan is the outcome of a run.
type mountRan struct {
	in  *mountIn
	dec mountpolicy.Decision
	dev string
	err error
}

func newMountServerProps(d *deps) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &MountServer{d: d, log: d.log.With("actor", "mount_server")}
	}, actor.WithReceiverMiddleware(logPanics(d.log)))
}

// Receive handles one message.
func (a *MountServer) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		a.ids = a.d.mount.replayCache()
		a.rate = mountpolicy.NewRequesterRate(maxRequesters, requesterBurst, requesterEvery)
		a.running = map[string]bool{}
		a.ctx, a.cancel = context.WithCancel(context.Background())
	case *actor.Restarting, *actor.Stopping:
		if a.cancel != nil {
			a.cancel()
		}
		a.wg.Wait()
	case *mountIn:
		a.request(c, m)
	case *mountRan:
		a.ran(c, m)
	case *messages.CheckHealth:
		c.Respond(&messages.Healthy{Part: "mount_server"})
	}
}

// request runs the checks that need no disk, then asks Info for the
// local disks.
func (a *MountServer) request(c actor.Context, m *mountIn) {
	b, from, now := m.env.Mount, m.env.Node, a.d.now()
	a.d.mount.update(func(s *messages.MountStatus) { s.Requests++; s.Requesters = a.rate.Len() })
	switch {
	case !m.authenticated:
		a.refuse(c, m, mountUnauthenticated, "remote mount needs auth keys on both daemons")
		return
	case !a.rate.Allow(from, now):
		a.refuse(c, m, mountRateLimited, "too many requests from "+from+"; try again in a few seconds")
		return
	case b.At < a.d.id.Started.Unix():
		a.refuse(c, m, mountStale, "request made before this daemon started")
		return
	case absDuration(now.Sub(time.Unix(b.At, 0))) > mountClockSkew:
		a.refuse(c, m, mountStale, fmt.Sprintf("request made at %s, more than %v from this host's clock", time.Unix(b.At, 0).UTC().Format(time.RFC3339), mountClockSkew))
		return
	}
	switch a.ids.Add(b.ID, now) {
	case mountpolicy.Seen:
		a.refuse(c, m, mountReplay, "request id already used")
		return
	case mountpolicy.Full:
		a.refuse(c, m, mountBusy, "too many recent requests")
		return
	}
	a.d.mount.update(func(s *messages.MountStatus) { s.Replay = a.ids.Len() })
	if a.d.cfg.Mount.Policy == nil {
		a.refuse(c, m, mountPolicy, "no mount.policy on this host")
		return
	}
	if len(a.running) >= maxMountRuns {
		a.refuse(c, m, mountBusy, "too many mounts running")
		return
	}
	f := c.RequestFuture(a.d.pids.info, &messages.GetLocalDisks{}, queryTimeout)
	c.ReenterAfter(f, func(res any, err error) {
		ld, ok := res.(*messages.LocalDisks)
		if err != nil || !ok {
			a.refuse(c, m, mountBusy, "the disk list is not available")
			return
		}
		a.decide(c, m, ld.Disks)
	})
}

// decide names the disk among the local ones and applies the policy.
func (a *MountServer) decide(c actor.Context, m *mountIn, disks []messages.Disk) {
	b := m.env.Mount
	var found []messages.Disk
	for _, d := range disks {
		if strings.EqualFold(d.UUID, b.Disk) || d.Label == b.Disk || d.Serial != "" && d.Serial == b.Disk {
			found = append(found, d)
		}
	}
	switch {
	case len(found) == 0:
		a.refuse(c, m, mountNotFound, "no such disk on this host")
		return
	case len(found) > 1:
		a.refuse(c, m, mountAmbiguous, fmt.Sprintf("%d disks here match %q: name it by UUID", len(found), b.Disk))
		return
	}
	d := found[0]
	pd := mountpolicy.Disk{UUID: d.UUID, Label: d.Label, FSType: d.Type, Device: d.Device}
	for _, mt := range d.Mounts {
		pd.Mounts = append(pd.Mounts, mt.Path)
	}
	dec := a.d.cfg.Mount.Policy.Decide(mountpolicy.Request{From: m.env.Node, Action: b.Action, Options: b.Options}, pd)
	a.audit("mount request", m, dec.Verdict, dec.Reason, "device", d.Device, "rule", dec.Rule, "point", dec.Point)
	switch {
	case dec.Verdict == mountpolicy.Refused:
		a.count(mountPolicy)
		a.answer(c, m, wire.MountRefused, dec.Point, dec.Reason)
	case dec.Verdict == mountpolicy.Done:
		a.answer(c, m, wire.MountDone, dec.Point, dec.Reason)
	case a.running[d.Device] || len(a.running) >= maxMountRuns:
		a.count(mountBusy)
		a.answer(c, m, wire.MountRefused, "", "a mount or unmount of this disk, or too many others, are running")
	default:
		a.running[d.Device] = true
		a.setRunning()
		a.start(c, m, dec, d)
	}
}

// ran reports a run's outcome and has the mount table read at once.
func (a *MountServer) ran(c actor.Context, r *mountRan) {
	delete(a.running, r.dev)
	a.setRunning()
	c.Send(a.d.pids.mountWatcher, &messages.MountTableChanged{})
	if r.err != nil {
		a.d.mount.update(func(s *messages.MountStatus) { s.Failed++ })
		a.audit("mount outcome", r.in, wire.MountFailed, r.err.Error(), "point", r.dec.Point)
		a.answer(c, r.in, wire.MountFailed, "", r.err.Error())
		return
	}
	a.d.mount.update(func(s *messages.MountStatus) { s.Ran++ })
	a.audit("mount outcome", r.in, wire.MountDone, "", "point", r.dec.Point)
	a.answer(c, r.in, wire.MountDone, r.dec.Point, r.dec.Reason)
}

// refuse counts, audits and (when reply) answers a refusal made before
// the policy was asked.
func (a *MountServer) refuse(c actor.Context, m *mountIn, reason, detail string) {
	a.count(reason)
	a.audit("mount request", m, "refused", detail, "refusal", reason)
	result := wire.MountRefused
	if reason == mountNotFound {
		result = wire.MountNotFound
	}
	a.answer(c, m, result, "", detail)
}

func (a *MountServer) setRunning() {
	n := len(a.running)
	a.d.mount.update(func(s *messages.MountStatus) { s.Running = n })
}

func (a *MountServer) count(reason string) {
	a.d.mount.update(func(s *messages.MountStatus) { s.Refused[reason]++ })
}

// audit writes the one line a request or a run gets.
func (a *MountServer) audit(msg string, m *mountIn, decision, reason string, more ...any) {
	b := m.env.Mount
	args := append([]any{"id", b.ID, "from", m.env.Node, "src", m.src, "action", b.Action, "disk", b.Disk,
		"options", strings.Join(b.Options, ","), "decision", decision, "reason", reason}, more...)
	a.log.Info(msg, args...)
}

// answer sends the result to the requester.
func (a *MountServer) answer(c actor.Context, m *mountIn, result, point, reason string) {
	b := m.env.Mount
	out := &wire.Envelope{Kind: wire.KindMountResult, To: m.env.Node, Mount: &wire.MountBody{ID: b.ID, Action: b.Action,
		Disk: b.Disk, Result: result, Point: point, Reason: clip(reason, maxReason)}}
	c.Send(a.d.pids.multicast, &mountOut{env: out})
}

// clip makes s fit a wire field: valid UTF-8, no NUL, at most n bytes.
func clip(s string, n int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "?"), "\x00", "")
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// start runs mount or umount on a goroutine; the result comes back as
// mountRan.
func (a *MountServer) start(c actor.Context, m *mountIn, dec mountpolicy.Decision, d messages.Disk) {
	self, root, cfg, ctx := c.Self(), a.d.root, a.d.cfg.Mount, a.ctx
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		var err error
		if m.env.Mount.Action == mountpolicy.ActionMount {
			err = runMount(ctx, cfg, d, dec)
		} else {
			err = runUnmount(ctx, cfg, dec)
		}
		root.Send(self, &mountRan{in: m, dec: dec, dev: d.Device, err: err})
	}()
}

// runMount makes the mount point (one new directory, never through a
// symbolic link) and mounts d there; the directory goes again on failure.
func runMount(ctx context.Context, cfg mountConfig, d messages.Disk, dec mountpolicy.Decision) error {
	made, err := makeMountPoint(dec.Point)
	if err != nil {
		return err
	}
	err = mountrun.Run(ctx, mountrun.MountArgv(cfg.Command, d.Type, dec.Options, d.Device, dec.Point), cfg.Timeout)
	if err != nil && made {
		removeMountPoint(dec.Point)
	}
	return err
}

// runUnmount unmounts dec.Point and removes the (then empty) directory.
func runUnmount(ctx context.Context, cfg mountConfig, dec mountpolicy.Decision) error {
	if err := mountrun.Run(ctx, mountrun.UnmountArgv(cfg.UnmountCommand, dec.Point), cfg.Timeout); err != nil {
		return err
	}
	removeMountPoint(dec.Point)
	return nil
}
