package main

// Shell completion. "completion bash|zsh" prints a script; the script
// calls the hidden "__complete SHELL WORDS..." for every Tab, so that the
// words come from this binary: its subcommands and flags, the command
// table, and the labels and UUIDs a running daemon lists. With no daemon,
// those last are simply not offered.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

// completeTimeout bounds asking the daemon during a Tab: a slow daemon
// must not freeze the shell.
const completeTimeout = time.Second

const bashCompletion = `# bash completion for diskd-actors. Load it with
#   source <(diskd-actors completion bash)
# or save it as /etc/bash_completion.d/diskd-actors.
_diskd_actors() {
    local words=("${COMP_WORDS[@]:1:COMP_CWORD}")
    mapfile -t COMPREPLY < <(command "${COMP_WORDS[0]}" __complete bash "${words[@]}" 2>/dev/null)
}
complete -o default -F _diskd_actors diskd-actors
`

const zshCompletion = `#compdef diskd-actors
# zsh completion for diskd-actors. With compinit loaded:
#   source <(diskd-actors completion zsh)
# or save it as _diskd-actors in a directory of $fpath.
_diskd_actors() {
    local -a cands
    cands=("${(@f)$(command ${(Q)words[1]} __complete zsh "${(@Q)words[2,CURRENT]}" 2>/dev/null)}")
    cands=(${cands:#})
    if (( ${#cands} )); then
        compadd -- "${cands[@]}"
    else
        _files
    fi
}
if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then
    _diskd_actors "$@"
else
    compdef _diskd_actors diskd-actors
fi
`

// runCompletion prints the completion script for a shell.
func runCompletion(args []string, stdout, stderr io.Writer) int {
	const synopsis = "Usage: diskd-actors completion bash|zsh\n\nPrint a shell completion script: subcommands, commands, flags, and the\nlabels and UUIDs of a running daemon. Load it with\n  source <(diskd-actors completion bash)\n"
	if len(args) == 1 && isHelpFlag(args[0]) {
		fmt.Fprint(stdout, synopsis)
		return exitOK
	}
	if len(args) != 1 {
		fmt.Fprint(stderr, "diskd-actors completion: which shell?\n"+synopsis)
		return exitError
	}
	switch args[0] {
	case "bash":
		fmt.Fprint(stdout, bashCompletion)
	case "zsh":
		fmt.Fprint(stdout, zshCompletion)
	default:
		fmt.Fprintf(stderr, "diskd-actors completion: no script for %q; bash or zsh\n", args[0])
		return exitError
	}
	return exitOK
}

// runComplete answers the scripts: "__complete SHELL WORD... CURRENT"
// prints the candidates for the last word, one a line, escaped for bash
// when that word is not quoted. It never fails loudly.
func runComplete(args []string, stdout io.Writer) int {
	if len(args) < 1 {
		return exitError
	}
	shell, words := args[0], args[1:]
	if len(words) == 0 {
		words = []string{""}
	}
	cur := words[len(words)-1]
	quoted := strings.HasPrefix(cur, `"`) || strings.HasPrefix(cur, `'`)
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	for _, c := range completions(words[:len(words)-1], shellUnquote(cur), daemonDisks) {
		if shell == "bash" && !quoted {
			c = bashEscape(c)
		}
		fmt.Fprintln(w, c)
	}
	return exitOK
}

// completions are the candidates for word cur after words (which follow
// the program name), filtered by the prefix cur. disks lists a daemon's
// labels and UUIDs for the socket the words choose, or nil.
func completions(words []string, cur string, disks func(globals) []string) []string {
	var g globals
	i := 0
	for ; i < len(words) && strings.HasPrefix(words[i], "-"); i++ {
		name, val, hasVal := strings.Cut(strings.TrimLeft(words[i], "-"), "=")
		if name != "socket" && name != "config" {
			continue
		}
		if !hasVal {
			if i+1 == len(words) {
				return nil // its value: let the shell complete a file name
			}
			i++
			val = words[i]
		}
		if name == "socket" {
			g.socket = val
		} else {
			g.config = val
		}
	}
	if i == len(words) {
		if strings.HasPrefix(cur, "-") {
			return matching([]string{"--socket", "--config", "--json", "--help", "--version"}, cur)
		}
		return matching(commandWords(), cur)
	}
	cmd, rest := words[i], words[i+1:]
	switch cmd {
	case "daemon", "config", "demo":
		flags, takesValue := subcommandFlags(cmd)
		if len(rest) > 0 && takesValue[strings.TrimLeft(rest[len(rest)-1], "-")] && !strings.Contains(rest[len(rest)-1], "=") {
			return nil
		}
		return matching(flags, cur)
	case "completion":
		if len(rest) == 0 {
			return matching([]string{"bash", "zsh"}, cur)
		}
		return nil
	case "help", "?":
		if len(rest) == 0 {
			return matching(commandWords(), cur)
		}
		return nil
	}
	c, ok := lineproto.Lookup(cmd)
	if !ok || isSubcommand(cmd) {
		return nil
	}
	var cands []string
	args := slices.DeleteFunc(slices.Clone(rest), func(a string) bool { return a == "--json" })
	if c.TakesDisk() && len(args) == 0 && !strings.HasPrefix(cur, "-") {
		cands = disks(g)
	}
	if !slices.Contains(rest, "--json") && c.Name != lineproto.CmdQuit {
		cands = append(cands, "--json")
	}
	return matching(cands, cur)
}

// matching keeps the candidates that start with prefix, each once.
func matching(cands []string, prefix string) []string {
	var out []string
	for _, c := range cands {
		if strings.HasPrefix(c, prefix) && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// flagLine finds "  --name [VALUE]" in a subcommand's help.
var flagLine = regexp.MustCompile(`(?m)^  --([a-z-]+)( [A-Z])?`)

// subcommandFlags reads a subcommand's flags from its own help, so that
// completion offers exactly what it accepts; takesValue marks those that
// take a value.
func subcommandFlags(name string) (flags []string, takesValue map[string]bool) {
	var help bytes.Buffer
	dispatch(globals{}, []string{name, "--help"}, nil, &help, io.Discard)
	takesValue = map[string]bool{}
	for _, m := range flagLine.FindAllStringSubmatch(help.String(), -1) {
		flags = append(flags, "--"+m[1])
		takesValue[m[1]] = m[2] != ""
	}
	return append(flags, "--help"), takesValue
}

// daemonDisks are the labels and UUIDs the daemon lists, labels first;
// nil when no daemon answers in time.
func daemonDisks(g globals) []string {
	sock, err := g.socketPath()
	if err != nil {
		return nil
	}
	c, _, err := dial(sock, completeTimeout)
	if err != nil {
		return nil
	}
	defer c.Close()
	_ = c.nc.SetDeadline(time.Now().Add(completeTimeout))
	ans, err := c.roundTrip("list --json", nil)
	if err != nil || !ans.OK() || len(ans.Lines) != 1 {
		return nil
	}
	var disks []struct {
		UUID  string `json:"uuid"`
		Label string `json:"label"`
	}
	if json.Unmarshal([]byte(ans.Lines[0]), &disks) != nil {
		return nil
	}
	var labels, uuids []string
	for _, d := range disks {
		if d.Label != "" && printable(d.Label) {
			labels = append(labels, d.Label)
		}
		if d.UUID != "" && printable(d.UUID) {
			uuids = append(uuids, d.UUID)
		}
	}
	slices.Sort(labels)
	slices.Sort(uuids)
	return append(labels, uuids...)
}

// printable rejects words a shell could not take back as typed: labels
// come from other hosts, and a control character has no place on a
// command line.
func printable(s string) bool {
	return escapeControl(s) == s && !strings.ContainsAny(s, "\t\n")
}

// shellUnquote undoes what a user typed around a partial word: an opening
// quote, backslash escapes.
func shellUnquote(w string) string {
	if strings.HasPrefix(w, `"`) || strings.HasPrefix(w, `'`) {
		return strings.TrimSuffix(w[1:], w[:1])
	}
	var b strings.Builder
	for i := 0; i < len(w); i++ {
		if w[i] == '\\' && i+1 < len(w) {
			i++
		}
		b.WriteByte(w[i])
	}
	return b.String()
}

// bashEscape backslash-escapes the characters bash would split or expand.
func bashEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(" \t'\"\\$`!*?[]{}()<>|&;#~=:", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
