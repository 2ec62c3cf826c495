package main

// help and help COMMAND: answered from the command table and the
// subcommands' flag sets, without a daemon.

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/diskd-actors/diskd-actors/messages/lineproto"
)

// subcommandIntro is the paragraph under each subcommand's usage line.
var subcommandIntro = map[string]string{
	"daemon": "Run the daemon in the foreground until SIGINT or SIGTERM; it logs to stderr.\n" +
		"Run it as root to see every disk. Flags override the config file, which\n" +
		"overrides the defaults (\"diskd-actors config\" prints the result).",
	"config": "Print the effective configuration: the defaults, then the file, then the\n" +
		"flags given, as YAML that --config accepts.",
	"demo": "Start daemons on the loopback interface (nothing leaves the host), each with a\n" +
		"scripted disk list, show them find each other's disks, and keep them running\n" +
		"until Ctrl-C. Its files live in a temporary directory removed on exit.",
}

// subcommands are the words the client runs itself rather than sending to
// the daemon, with their one-line synopsis for completion and help.
var subcommands = []struct{ name, synopsis string }{
	{"daemon", "run the daemon in the foreground"},
	{"demo", "daemons on loopback finding each other"},
	{"config", "print the effective configuration"},
	{"completion", "print a bash or zsh completion script"},
	{"help", "this help, or help COMMAND"},
	{"version", "print the version"},
}

func isSubcommand(word string) bool {
	for _, s := range subcommands {
		if s.name == word {
			return true
		}
	}
	return false
}

// runHelp prints the usage, or one command's help: a subcommand's flags or
// a daemon command's entry in the command table.
func runHelp(g globals, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || isHelpFlag(args[0]) {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if len(args) > 1 {
		fmt.Fprintln(stderr, "diskd-actors help: one command at a time: help COMMAND")
		return exitError
	}
	word := args[0]
	switch word {
	case "help":
		fmt.Fprint(stdout, "Usage: diskd-actors help [COMMAND]\n\nThe usage, or the help of one command. Needs no daemon; at the prompt,\n\"help\" is the daemon's own list.\n")
		return exitOK
	case "version":
		fmt.Fprint(stdout, "Usage: diskd-actors version\n\nPrint the client's version (\"localhost\" gives the daemon's).\n")
		return exitOK
	}
	if isSubcommand(word) {
		return dispatch(g, []string{word, "--help"}, nil, stdout, stderr)
	}
	if text, ok := lineproto.CommandHelp(word); ok {
		fmt.Fprint(stdout, text)
		return exitOK
	}
	fmt.Fprintf(stderr, "diskd-actors help: unknown command %q; the commands are: %s\n", word, strings.Join(commandWords(), " "))
	return exitError
}

// commandWords are the subcommands then the daemon's commands.
func commandWords() []string {
	var w []string
	for _, s := range subcommands {
		w = append(w, s.name)
	}
	for _, c := range lineproto.Words() {
		if !slices.Contains(w, c) {
			w = append(w, c)
		}
	}
	return w
}

func isHelpFlag(arg string) bool {
	switch arg {
	case "-h", "-help", "--help":
		return true
	}
	return false
}
