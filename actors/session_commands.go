package actors

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/diskd-actors/diskd-actors/messages"
)

// The commands a session understands. Every answer is data lines and one
// status line; "--json" among the words makes the data one JSON value.
var commandHelp = []string{
	"help                        this list",
	"list                        every known disk: node, uuid, label, device, type",
	"where <uuid|label|device>   the node(s) holding a disk, or where it was last seen; .err not-found when never seen",
	"peers                       the daemons this one has heard from, with their state",
	"mounts                      the mounted disks and where they are mounted",
	"ping                        ask every peer to announce now (at most once per 5s)",
	"debug                       stream events (peers up/down, disks added/removed/mounted, drops) until you send a line",
	"localhost                   this daemon: node, instance, addresses, socket, version",
	"status                      traffic, drops, peers, the last blkid run, restarts",
	"refresh                     run blkid now; announce at once if the disks changed",
	"quit | exit                 close this session",
	"Add --json to any command for one JSON value. Quote words with spaces: where \"backup 2\"",
}

// answer is what a session writes back for one command.
type answer struct {
	lines      []string
	code, msg  string // code is empty on success
	summary    string
	closeAfter bool
}

func (a *answer) status() string {
	if a.code == "" {
		if a.summary == "" {
			return ".ok"
		}
		return ".ok " + oneLine(a.summary)
	}
	return ".err " + a.code + " " + oneLine(a.msg)
}

func errAnswer(code, msg string) *answer { return &answer{code: code, msg: msg} }

func oneLine(s string) string { return strings.NewReplacer("\n", `\n`, "\r", `\r`).Replace(s) }

func (a *Session) handleLine(c actor.Context, m *sessionLine) {
	if m.tooLong {
		a.reply(c, errAnswer("too-long", fmt.Sprintf("command line longer than %d bytes", MaxCommandLine)))
		return
	}
	words, err := splitWords(m.text)
	if err != nil {
		a.reply(c, errAnswer("usage", err.Error()))
		return
	}
	jsonOut := false
	args := words[:0]
	for _, w := range words {
		if w == "--json" {
			jsonOut = true
		} else {
			args = append(args, w)
		}
	}
	if len(args) == 0 {
		a.done() // a blank line gets no answer, as in a shell
		return
	}
	cmd, args := strings.ToLower(args[0]), args[1:]
	p := a.d.pids
	switch cmd {
	case "help", "?":
		if jsonOut {
			a.reply(c, jsonAnswer(commandHelp, ""))
			return
		}
		a.reply(c, &answer{lines: commandHelp})
	case "quit", "exit":
		a.reply(c, &answer{summary: "bye", closeAfter: true})
	case "list":
		a.ask(c, p.info, &messages.GetInventory{}, queryTimeout, func(r any) *answer {
			return renderList(r.(*messages.Inventory), jsonOut)
		})
	case "where":
		if len(args) != 1 || args[0] == "" {
			a.reply(c, errAnswer("usage", `where takes one non-empty argument: a UUID, label or device (quote labels with spaces: where "backup 2")`))
			return
		}
		a.ask(c, p.info, &messages.Where{Query: args[0]}, queryTimeout, func(r any) *answer {
			return renderWhere(r.(*messages.WhereResult), jsonOut, a.d.now())
		})
	case "mounts":
		a.ask(c, p.info, &messages.GetInventory{}, queryTimeout, func(r any) *answer {
			return renderMounts(r.(*messages.Inventory), jsonOut)
		})
	case "ping":
		a.ask(c, p.multicast, &messages.Ping{}, queryTimeout, func(r any) *answer {
			ps := r.(*messages.PingSent)
			if !ps.Sent && ps.RetryIn > 0 {
				return errAnswer("rate-limited", fmt.Sprintf("rate-limited: a ping was sent less than %v ago; try again in %v", pingEvery, ps.RetryIn.Round(time.Millisecond)))
			}
			if !ps.Sent {
				return errAnswer("unavailable", "the ping could not be sent; see the daemon's log")
			}
			if jsonOut {
				return jsonAnswer(ps, "")
			}
			return &answer{lines: []string{"ping sent: every peer will announce within a second"}}
		})
	case "debug":
		a.startDebug(c, jsonOut)
	case "peers":
		a.ask(c, p.info, &messages.GetPeers{}, queryTimeout, func(r any) *answer {
			return renderPeers(r.(*messages.Peers), jsonOut, a.d.now())
		})
	case "localhost":
		a.ask(c, p.info, &messages.GetLocalhost{}, queryTimeout, func(r any) *answer {
			return renderLocalhost(r.(*messages.Localhost), jsonOut)
		})
	case "status":
		a.ask(c, p.info, &messages.GetStatus{}, queryTimeout, func(r any) *answer {
			return renderStatus(r.(*messages.Status), jsonOut)
		})
	case "refresh":
		timeout := a.d.cfg.Blkid.Timeout*2 + queryTimeout
		a.ask(c, p.diskWatcher, &messages.Rescan{}, timeout, func(r any) *answer {
			return renderRescan(r.(*messages.RescanDone), jsonOut)
		})
	case "_panic":
		a.reply(c, a.crash(c, args))
	default:
		a.reply(c, errAnswer("unknown-command", fmt.Sprintf("unknown command %q; type help", cmd)))
	}
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

// splitWords splits a command line on spaces and tabs; a word in double
// quotes may hold spaces, with \" and \\ as escapes.
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case quoted && ch == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\'):
			i++
			cur.WriteByte(s[i])
		case ch == '"':
			quoted, inWord = !quoted, true
		case !quoted && (ch == ' ' || ch == '\t'):
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(ch)
			inWord = true
		}
	}
	if quoted {
		return nil, errors.New("unterminated quote")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// jsonAnswer renders v as one JSON data line.
func jsonAnswer(v any, summary string) *answer {
	b, err := json.Marshal(v)
	if err != nil {
		return errAnswer("internal", err.Error())
	}
	return &answer{lines: []string{string(b)}, summary: summary}
}
