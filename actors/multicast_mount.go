package actors

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/messages/wire"
)

// The remote mount exchange's passage through MulticastServer: requests
// and answers addressed to this node go to MountServer and MountRequester
// with whether their frame was authenticated (keys are configured: the
// reader accepted only signed frames); theirs go out signed. A request
// addressed to this node itself never touches the wire.

// mountArrived routes a mount or mount-result datagram (gossip.MountIn).
func (a *MulticastServer) mountArrived(c actor.Context, src string, env *wire.Envelope) {
	a.routeMount(c, &mountIn{env: env, src: src, authenticated: a.keyed()})
}

func (a *MulticastServer) routeMount(c actor.Context, m *mountIn) {
	if m.env.Kind == wire.KindMount {
		c.Send(a.d.pids.mountServer, m)
		return
	}
	c.Send(a.d.pids.mountRequester, m)
}

func (a *MulticastServer) keyed() bool { return len(a.auth.Load().keys) > 0 }

// sendMount sends a request or an answer; a request that cannot go (no
// keys, a failed send) is answered refused at once.
func (a *MulticastServer) sendMount(c actor.Context, m *mountOut) {
	e := m.env
	if e.To == a.d.id.Node {
		e.V, e.Node, e.Instance = wire.ProtocolVersion, a.d.id.Node, a.d.id.Instance
		a.routeMount(c, &mountIn{env: e, src: "local", authenticated: a.keyed(), local: true})
		return
	}
	reason := ""
	switch {
	case e.Kind == wire.KindMount && !a.keyed():
		reason = "this daemon has no auth keys: remote mount needs them on both daemons"
	case !a.send(e) && e.Kind == wire.KindMount:
		reason = "the request could not be sent; see the daemon's log"
	}
	if reason != "" {
		b := *e.Mount
		b.At, b.Options, b.Result, b.Reason = 0, nil, wire.MountRefused, reason
		c.Send(a.d.pids.mountRequester, &mountIn{env: &wire.Envelope{V: wire.ProtocolVersion, Kind: wire.KindMountResult,
			Node: a.d.id.Node, To: a.d.id.Node, Mount: &b}, src: "local", local: true})
	}
}
