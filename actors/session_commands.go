package actors

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/actors/mountpolicy"
	"github.com/diskd-actors/diskd-actors/actors/render"
	"github.com/diskd-actors/diskd-actors/messages"
	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

// answer is what a session writes back for one command: data lines and
// one status line (lineproto encodes it).
type answer struct {
	lines      []string
	code, msg  string // code is empty on success
	summary    string
	closeAfter bool
}

func (a *answer) status() string { return a.proto().Status() }

func errAnswer(code, msg string) *answer { return &answer{code: code, msg: msg} }

// commandHelp is the answer to "help", from the command table.
var commandHelp = lineproto.HelpLines()

// commandHandler runs one command of lineproto.Commands; it answers (or
// starts a stream) itself.
type commandHandler func(a *Session, c actor.Context, req lineproto.Request)

// commandHandlers is the dispatch side of the command table: one handler
// per lineproto.Commands entry, by name (a test checks both agree).
var commandHandlers = map[string]commandHandler{
	lineproto.CmdHelp: func(a *Session, c actor.Context, req lineproto.Request) {
		a.reply(c, fromRender(render.Help(req.JSON)))
	},
	lineproto.CmdQuit: func(a *Session, c actor.Context, _ lineproto.Request) {
		a.reply(c, &answer{summary: "bye", closeAfter: true})
	},
	lineproto.CmdList: func(a *Session, c actor.Context, req lineproto.Request) {
		if slices.Contains(req.Args, "--long") {
			// The long table (identity columns) is rendered whole: it is
			// asked for by people, not by scripts of 20,000 disks.
			a.askInfo(c, &messages.GetInventory{}, func(r any) *lineproto.Answer { return render.ListLong(r.(*messages.Inventory), req.JSON) })
			return
		}
		a.askStream(c, &messages.GetInventoryView{}, func(r any) render.Stream {
			return render.ListStream(r.(*messages.InventoryView), req.JSON)
		})
	},
	lineproto.CmdDuplicates: func(a *Session, c actor.Context, req lineproto.Request) {
		a.askInfo(c, &messages.GetInventory{}, func(r any) *lineproto.Answer { return render.Duplicates(r.(*messages.Inventory), req.JSON) })
	},
	lineproto.CmdWhere: func(a *Session, c actor.Context, req lineproto.Request) {
		a.askInfo(c, &messages.Where{Query: req.Args[0]}, func(r any) *lineproto.Answer {
			return render.Where(r.(*messages.WhereResult), req.JSON, a.d.now())
		})
	},
	lineproto.CmdMounts: func(a *Session, c actor.Context, req lineproto.Request) {
		// The view, not a copy of the inventory: Info's work stays one entry
		// a node; the session picks the mounted disks.
		a.askInfo(c, &messages.GetInventoryView{}, func(r any) *lineproto.Answer {
			return render.Mounts(mountedDisks(r.(*messages.InventoryView)), req.JSON)
		})
	},
	lineproto.CmdPeers: func(a *Session, c actor.Context, req lineproto.Request) {
		a.askInfo(c, &messages.GetPeers{}, func(r any) *lineproto.Answer { return render.Peers(r.(*messages.Peers), req.JSON, a.d.now()) })
	},
	lineproto.CmdLocalhost: func(a *Session, c actor.Context, req lineproto.Request) {
		a.askInfo(c, &messages.GetLocalhost{}, func(r any) *lineproto.Answer { return render.Localhost(r.(*messages.Localhost), req.JSON) })
	},
	lineproto.CmdStatus: func(a *Session, c actor.Context, req lineproto.Request) {
		a.askInfo(c, &messages.GetStatus{}, func(r any) *lineproto.Answer { return render.Status(r.(*messages.Status), req.JSON, a.d.now()) })
	},
	lineproto.CmdMount: func(a *Session, c actor.Context, req lineproto.Request) {
		a.cmdMount(c, req, lineproto.CmdMount)
	},
	lineproto.CmdUnmount: func(a *Session, c actor.Context, req lineproto.Request) {
		a.cmdMount(c, req, lineproto.CmdUnmount)
	},
	lineproto.CmdPing:    (*Session).cmdPing,
	lineproto.CmdRefresh: (*Session).cmdRefresh,
	lineproto.CmdDebug: func(a *Session, c actor.Context, req lineproto.Request) {
		a.startDebug(c, req.JSON)
	},
	lineproto.CmdPanic: func(a *Session, c actor.Context, req lineproto.Request) {
		a.reply(c, a.crash(c, req.Args))
	},
}

// handleLine parses one command line, finds it in the command table and
// runs its handler. Every path answers once, or lets the reader go on.
func (a *Session) handleLine(c actor.Context, m *sessionLine) {
	if m.tooLong {
		a.reply(c, errAnswer("too-long", fmt.Sprintf("command line longer than %d bytes", lineproto.MaxCommandLine)))
		return
	}
	req, err := lineproto.ParseRequest(m.text)
	if err != nil {
		a.reply(c, errAnswer("usage", err.Error()))
		return
	}
	if req.Blank() {
		a.done() // a blank line gets no answer, as in a shell
		return
	}
	cmd, ok := lineproto.Lookup(req.Word)
	h := commandHandlers[cmdName(cmd, ok)]
	if h == nil || (cmd.Hidden && !testHooks) {
		a.reply(c, errAnswer("unknown-command", fmt.Sprintf("unknown command %q; type help", req.Word)))
		return
	}
	if msg := cmd.CheckArgs(req.Args); msg != "" && !cmd.Hidden {
		a.reply(c, errAnswer("usage", msg))
		return
	}
	h(a, c, req)
}

func cmdName(c *lineproto.Command, ok bool) string {
	if !ok {
		return ""
	}
	return c.Name
}

// askInfo asks Info and answers with what render makes of its reply.
func (a *Session) askInfo(c actor.Context, q any, render func(any) *lineproto.Answer) {
	a.ask(c, a.d.pids.info, q, queryTimeout, func(r any) *answer { return fromRender(render(r)) })
}

// mountedDisks are the view's disks that are mounted somewhere.
func mountedDisks(v *messages.InventoryView) *messages.Inventory {
	inv := &messages.Inventory{}
	v.Each(func(nd messages.NodeDisk) bool {
		if len(nd.Mounts) > 0 {
			inv.Disks = append(inv.Disks, nd)
		}
		return true
	})
	return inv
}

// askStream asks Info and answers with a stream rendered from its reply
// as the writer writes it (see outbox.putStream).
func (a *Session) askStream(c actor.Context, q any, stream func(any) render.Stream) {
	f := c.RequestFuture(a.d.pids.info, q, queryTimeout)
	c.ReenterAfter(f, func(res any, err error) {
		if err != nil {
			a.reply(c, errAnswer("unavailable", fmt.Sprintf("the daemon did not answer in time (%v)", err)))
			return
		}
		a.io.out.putStream(stream(res), thenRelease)
	})
}

func (a *Session) cmdPing(c actor.Context, req lineproto.Request) {
	a.ask(c, a.d.pids.multicast, &messages.Ping{}, queryTimeout, func(r any) *answer {
		ps := r.(*messages.PingSent)
		if !ps.Sent && ps.RetryIn > 0 {
			return errAnswer("rate-limited", fmt.Sprintf("rate-limited: a ping was sent less than %v ago; try again in %v", pingEvery, ps.RetryIn.Round(time.Millisecond)))
		}
		if !ps.Sent {
			return errAnswer("unavailable", "the ping could not be sent; see the daemon's log")
		}
		if req.JSON {
			return fromRender(render.JSON(ps, ""))
		}
		return &answer{lines: []string{"ping sent: every peer will announce within a second"}}
	})
}

func (a *Session) cmdRefresh(c actor.Context, req lineproto.Request) {
	timeout := a.d.cfg.Blkid.Timeout*2 + queryTimeout
	a.ask(c, a.d.pids.diskWatcher, &messages.Rescan{}, timeout, func(r any) *answer {
		return fromRender(render.Rescan(r.(*messages.RescanDone), req.JSON))
	})
}

// crash is the test hook behind "_panic PART", compiled in only with the
// diskd_testhooks build tag.
func (a *Session) crash(c actor.Context, args []string) *answer {
	if !testHooks {
		return errAnswer("unknown-command", `unknown command "_panic"; type help`)
	}
	if len(args) != 1 {
		return errAnswer("usage", "_panic info|disk_watcher|multicast|sockets|session")
	}
	targets := map[string]*actor.PID{"info": a.d.pids.info, "disk_watcher": a.d.pids.diskWatcher,
		"multicast": a.d.pids.multicast, "sockets": a.d.pids.sockets, "session": c.Self()}
	pid, ok := targets[args[0]]
	if !ok {
		return errAnswer("usage", "_panic info|disk_watcher|multicast|sockets|session")
	}
	c.Send(pid, &messages.Crash{})
	return &answer{summary: "panic sent to " + args[0]}
}

// cmdMount runs "mount DISK [--options a,b]" and "unmount DISK" through
// MountRequester, waiting as long as it waits for the holder.
func (a *Session) cmdMount(c actor.Context, req lineproto.Request, action string) {
	ask, err := parseMountArgs(action, req.Args)
	if err != nil {
		a.reply(c, errAnswer("usage", err.Error()))
		return
	}
	a.ask(c, a.d.pids.mountRequester, ask, a.d.cfg.Mount.Wait+queryTimeout, func(r any) *answer {
		return fromRender(render.MountAnswer(r.(*messages.MountAnswer), req.JSON))
	})
}

// parseMountArgs reads DISK, then for mount an optional "--options LIST"
// or "--options=LIST" (checked by mountpolicy.ParseOptions).
func parseMountArgs(action string, args []string) (*messages.MountAsk, error) {
	usage := fmt.Errorf("%s takes a UUID, label or serial%s", action, map[bool]string{true: ", then optionally --options ro,noatime"}[action == lineproto.CmdMount])
	if len(args) == 0 || args[0] == "" || strings.HasPrefix(args[0], "--") {
		return nil, usage
	}
	ask := &messages.MountAsk{Action: action, Disk: args[0]}
	rest := args[1:]
	if len(rest) == 0 {
		return ask, nil
	}
	var list string
	switch {
	case action != lineproto.CmdMount:
		return nil, usage
	case len(rest) == 2 && rest[0] == "--options":
		list = rest[1]
	case len(rest) == 1 && strings.HasPrefix(rest[0], "--options="):
		list = strings.TrimPrefix(rest[0], "--options=")
	default:
		return nil, usage
	}
	opts, err := mountpolicy.ParseOptions(list)
	if err != nil {
		return nil, fmt.Errorf("--options: %v", err)
	}
	ask.Options = opts
	return ask, nil
}
