package actors

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/messages"
)

// Debug subscribers: sessions running "debug" receive every Event until
// they unsubscribe or stop (Info watches them).

func (a *Info) subscribe(c actor.Context) {
	pid := c.Sender()
	if pid == nil {
		return
	}
	a.st.subs[pid.GetId()] = pid
	a.d.stats.subscribers.Store(int64(len(a.st.subs)))
	c.Watch(pid)
	c.Respond(&messages.Subscribed{})
}

func (a *Info) unsubscribe(c actor.Context, pid *actor.PID) {
	if pid == nil {
		return
	}
	if _, ok := a.st.subs[pid.GetId()]; ok {
		delete(a.st.subs, pid.GetId())
		c.Unwatch(pid)
	}
	a.d.stats.subscribers.Store(int64(len(a.st.subs)))
}

// emit sends an event to every subscriber.
func (a *Info) emit(c actor.Context, kind, node, detail string, d *messages.Disk) {
	if len(a.st.subs) == 0 {
		return
	}
	ev := &messages.Event{Time: a.now(), Kind: kind, Node: node, Detail: detail, Disk: d}
	for _, pid := range a.st.subs {
		c.Send(pid, ev)
	}
}
