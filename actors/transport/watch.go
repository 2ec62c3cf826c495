package transport

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"time"
)

// startWatch starts the goroutine that checks the interface every
// interval, and at once when netlink reports a change of a link or an
// IPv4 address or when a send fails. Netlink makes recovery immediate;
// the periodic check makes it certain (netlink may be unavailable, and it
// drops events when its buffer overflows).
func (t *multicastTransport) startWatch() {
	watch := "poll"
	if t.o.netlink {
		nl, err := subscribeNetlink(t.fam.netlinkGroups(t.ifname == ""))
		if err != nil {
			t.o.log.Debug("no netlink subscription; checking the interface periodically", "error", err)
		} else {
			t.nl, watch = nl, "netlink+poll"
			t.wg.Add(1)
			go func() {
				defer t.wg.Done()
				readNetlink(nl, t.poke)
			}()
		}
	}
	t.o.health.update(func(r *Report) {
		r.Interface, r.Watch, r.LinkUp = t.ifname, watch, t.last.Usable()
		r.Address = ""
		if t.ifname != "" {
			r.Address = t.bound.Addr.String()
		}
	})
	t.wg.Add(1)
	go t.watch()
}

func (t *multicastTransport) watch() {
	defer t.wg.Done()
	tk := time.NewTicker(t.period(true))
	defer tk.Stop()
	for {
		select {
		case <-t.done:
			return
		case <-tk.C:
		case <-t.wake:
		}
		tk.Reset(t.period(t.check()))
	}
}

// period is the time to the next periodic check: the backstop while
// netlink reports changes, the short interval without netlink or while a
// failed fix waits to be retried (no event may come to ask for it).
func (t *multicastTransport) period(settled bool) time.Duration {
	if t.nl != nil && settled {
		return t.o.backstop
	}
	return t.o.interval
}

// poke asks for a check now; pokes coalesce.
func (t *multicastTransport) poke() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// check looks at the interface and applies Decide's plan. A fix that
// fails leaves the state as it was, so that the next check tries again,
// and reports false.
func (t *multicastTransport) check() (settled bool) {
	now := t.o.observe()
	p := Decide(t.bound, t.last, now)
	// Counted last, so that a report showing the check shows its outcome.
	defer t.o.health.update(func(r *Report) { r.Checks++; r.LinkUp = now.Usable() })
	if !p.Rejoin && !p.Rebind {
		if p.Reason != "" {
			t.o.log.Warn("multicast link lost; waiting for it", "interface", ifaceLabel(t.ifname), "reason", p.Reason)
		}
		t.last = now
		return true
	}
	// Without a configured interface the sending socket is bound to no
	// address and follows the routes: nothing to rebind.
	rebind := p.Rebind && t.ifname != ""
	if err := t.fix(p, now.Index, rebind); err != nil {
		t.o.health.update(func(r *Report) { r.FixErrors++; r.FixError = err.Error() })
		if msg := err.Error(); msg != t.failed {
			t.failed = msg
			t.o.log.Warn("multicast recovery failed; retrying", "interface", ifaceLabel(t.ifname), "reason", p.Reason, "error", err)
		}
		return false
	}
	t.failed = ""
	t.bound, t.last = Bound{Index: now.Index, Addr: p.Addr}, now
	at := t.o.now()
	t.o.health.update(func(r *Report) {
		r.Rejoins++
		if rebind {
			r.Rebinds++
			r.Address = p.Addr.String()
		}
		r.LastFix, r.LastFixAt = p.Reason, at
	})
	t.o.log.Info("multicast recovered", "interface", ifaceLabel(t.ifname), "reason", p.Reason,
		"address", p.Addr.String(), "rejoined", true, "rebound", rebind)
	return true
}

// fix re-opens the sending socket (if rebind) and re-joins the group on
// the interface with the given index.
func (t *multicastTransport) fix(p Plan, index int, rebind bool) error {
	var ifi *net.Interface
	if t.ifname != "" {
		var err error
		if ifi, err = net.InterfaceByIndex(index); err != nil {
			return fmt.Errorf("interface %d: %w", index, err)
		}
	}
	if rebind {
		sconn, send, err := openSender(t.fam, p.Addr, ifi, t.ttl)
		if err != nil {
			return err
		}
		t.mu.Lock()
		old := t.sconn
		t.sconn, t.send = sconn, send
		t.mu.Unlock()
		old.Close()
	}
	// The kernel may have dropped the old membership with its interface;
	// leaving first keeps stale ones from piling up, and a failure to
	// leave says only that it is gone. Leaving names the interface, as the
	// kernel recorded it at the join: with none, it would match any
	// membership of the group but release it on today's route's interface.
	g := &net.UDPAddr{IP: t.group.IP}
	var old *net.Interface
	if t.joined > 0 {
		old = &net.Interface{Index: t.joined}
	}
	_ = t.recv.LeaveGroup(old, g)
	t.joined = 0
	// Without a configured interface, join as at the start: the kernel
	// picks the route's interface.
	if err := t.recv.JoinGroup(ifi, g); err != nil {
		return fmt.Errorf("join %s on %s: %w", t.group.IP, ifaceName(ifi), err)
	}
	t.joined = index
	t.arrival.Store(int64(index))
	return nil
}

// observe looks at the configured interface, or without one at the
// interface the kernel routes the group through.
func (t *multicastTransport) observe() Link {
	if t.ifname != "" {
		ifi, err := net.InterfaceByName(t.ifname)
		if err != nil {
			return Link{}
		}
		return linkOf(ifi, t.fam)
	}
	return routeLink(t.group)
}

// routeLink finds the interface the kernel would send to group through:
// connecting a UDP socket chooses a source address and sends nothing.
func routeLink(group *net.UDPAddr) Link {
	g, _ := netip.AddrFromSlice(group.IP)
	fam := familyOf(g.Unmap())
	c, err := net.DialUDP(fam.network(), nil, group)
	if err != nil {
		return Link{}
	}
	src := c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap()
	c.Close()
	ifs, err := net.Interfaces()
	if err != nil {
		return Link{}
	}
	for i := range ifs {
		l := linkOf(&ifs[i], fam)
		if slices.ContainsFunc(l.Addrs, func(a netip.Addr) bool { return a.WithZone("") == src.WithZone("") }) {
			return l
		}
	}
	return Link{}
}

func linkOf(ifi *net.Interface, fam family) Link {
	l := Link{Index: ifi.Index, Up: ifi.Flags&net.FlagUp != 0 && ifi.Flags&net.FlagRunning != 0}
	addrs, err := ifi.Addrs()
	if err != nil {
		return l
	}
	l.Addrs = fam.addrs(ifi, addrs)
	return l
}
