package actors

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// MountRequester is the asking side of remote mount: for a session's
// MountAsk it finds the node holding the disk (Info's where), sends it a
// mount request with a fresh one-time id through MulticastServer, and
// answers the session with the holder's mount-result, or with no-answer
// after mount.wait.
//
// At most maxPendingMounts requests wait at once (more are answered
// busy). An answer is taken only from the node asked, for an id still
// pending; anything else is counted as a stray answer. Its timers are
// stopped in Restarting and Stopping; a restart forgets the pending
// requests, whose sessions then time out on their own.
//
// In: MountAsk (sessions), mountIn (MulticastServer: answers, or a
// refusal to send), mountWaitOver (own timers). Out: mountOut to
// MulticastServer, MountAnswer to the session.
type MountRequester struct {
	d       *deps
	log     *slog.Logger
	pending map[string]*pendingMount
}

// maxPendingMounts bounds the requests waiting for an answer.
const maxPendingMounts = 64

type pendingMount struct {
	reply  *actor.PID
	holder string
	ask    *messages.MountAsk
	timer  *time.Timer
}

// mountWaitOver ends the wait for the answer to request id.
type mountWaitOver struct{ id string }

func newMountRequesterProps(d *deps) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &MountRequester{d: d, log: d.log.With("actor", "mount_requester"), pending: map[string]*pendingMount{}}
	}, actor.WithReceiverMiddleware(logPanics(d.log)))
}

// Receive handles one message.
func (a *MountRequester) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Restarting, *actor.Stopping:
		for _, p := range a.pending {
			p.timer.Stop()
		}
		a.pending = map[string]*pendingMount{}
		a.setPending()
	case *messages.MountAsk:
		a.ask(c, m)
	case *mountIn:
		a.answered(c, m)
	case *mountWaitOver:
		if p := a.pending[m.id]; p != nil {
			a.finish(c, m.id, &messages.MountAnswer{Node: p.holder, Result: messages.MountNoAnswer,
				Reason: fmt.Sprintf("no answer from %s within %v", p.holder, a.d.cfg.Mount.Wait)})
		}
	case *messages.CheckHealth:
		c.Respond(&messages.Healthy{Part: "mount_requester"})
	}
}

func (a *MountRequester) ask(c actor.Context, m *messages.MountAsk) {
	reply := c.Sender()
	respond := func(ans *messages.MountAnswer) {
		ans.Action, ans.Disk = m.Action, m.Disk
		a.d.mount.update(func(s *messages.MountStatus) { s.Answers[ans.Result]++ })
		c.Send(reply, ans)
	}
	if len(a.pending) >= maxPendingMounts {
		respond(&messages.MountAnswer{Result: messages.MountBusy, Reason: fmt.Sprintf("%d requests already wait for an answer", maxPendingMounts)})
		return
	}
	f := c.RequestFuture(a.d.pids.info, &messages.Where{Query: m.Disk}, queryTimeout)
	c.ReenterAfter(f, func(res any, err error) {
		w, ok := res.(*messages.WhereResult)
		if err != nil || !ok {
			respond(&messages.MountAnswer{Result: messages.MountBusy, Reason: "the disk list is not available"})
			return
		}
		var nodes []string
		for _, nd := range w.Matches {
			if !slices.Contains(nodes, nd.Node) {
				nodes = append(nodes, nd.Node)
			}
		}
		switch {
		case len(nodes) == 0:
			respond(&messages.MountAnswer{Result: wire.MountNotFound, Reason: "no node holds " + m.Disk + " now"})
			return
		case len(nodes) > 1:
			respond(&messages.MountAnswer{Result: wire.MountRefused, Reason: "held by " + strings.Join(nodes, ", ") + ": name it by UUID"})
			return
		case len(a.pending) >= maxPendingMounts:
			respond(&messages.MountAnswer{Result: messages.MountBusy, Reason: "too many requests wait for an answer"})
			return
		}
		id := newMountID()
		self, root := c.Self(), a.d.root
		a.pending[id] = &pendingMount{reply: reply, holder: nodes[0], ask: m,
			timer: time.AfterFunc(a.d.cfg.Mount.Wait, func() { root.Send(self, &mountWaitOver{id: id}) })}
		a.setPending()
		a.d.mount.update(func(s *messages.MountStatus) { s.Asked++ })
		a.log.Info("mount asked", "id", id, "to", nodes[0], "action", m.Action, "disk", m.Disk, "options", strings.Join(m.Options, ","))
		c.Send(a.d.pids.multicast, &mountOut{env: &wire.Envelope{Kind: wire.KindMount, To: nodes[0],
			Mount: &wire.MountBody{ID: id, At: a.d.now().Unix(), Action: m.Action, Disk: m.Disk, Options: m.Options}}})
	})
}

// answered takes the holder's answer, or MulticastServer's refusal to
// send (from this node, local).
func (a *MountRequester) answered(c actor.Context, m *mountIn) {
	b := m.env.Mount
	p := a.pending[b.ID]
	if m.env.Kind != wire.KindMountResult || p == nil || (m.env.Node != p.holder && !m.local) {
		a.d.mount.update(func(s *messages.MountStatus) { s.StrayAnswer++ })
		return
	}
	a.finish(c, b.ID, &messages.MountAnswer{Node: p.holder, Result: b.Result, Point: b.Point, Reason: b.Reason})
}

func (a *MountRequester) finish(c actor.Context, id string, ans *messages.MountAnswer) {
	p := a.pending[id]
	delete(a.pending, id)
	p.timer.Stop()
	a.setPending()
	ans.Action, ans.Disk, ans.ID = p.ask.Action, p.ask.Disk, id
	a.d.mount.update(func(s *messages.MountStatus) { s.Answers[ans.Result]++ })
	c.Send(p.reply, ans)
}

func (a *MountRequester) setPending() {
	n := len(a.pending)
	a.d.mount.update(func(s *messages.MountStatus) { s.Pending = n })
}

// newMountID is a one-time request id: 128 random bits.
func newMountID() string {
	b := make([]byte, wire.MountIDLen/2)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}
