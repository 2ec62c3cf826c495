package main

// Subcommand help: printed on stdout with exit 0 when asked for (--help,
// -h, help SUBCOMMAND), on stderr after a usage error; flags spelled with
// two dashes as the README spells them, each with its default.

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/diskd-actors/diskd-actors/config"
)

// parseFlags parses args into fs. It returns ok false when the caller is
// to exit with code: 0 after printing the help that was asked for, 2
// after a usage error (flag's own message, then the help, on stderr).
func parseFlags(fs *flag.FlagSet, synopsis, intro string, args []string, stdout, stderr io.Writer) (ok bool, code int) {
	var help bytes.Buffer
	fs.SetOutput(stderr) // flag's error messages
	fs.Usage = func() { writeUsage(&help, fs, synopsis, intro) }
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		stdout.Write(help.Bytes())
		return false, exitOK
	case err != nil:
		stderr.Write(help.Bytes())
		return false, exitError
	}
	return true, exitOK
}

// writeUsage prints "Usage: diskd-actors SYNOPSIS", the intro and one line
// per flag: --name VALUE, its help, its default.
func writeUsage(w io.Writer, fs *flag.FlagSet, synopsis, intro string) {
	fmt.Fprintf(w, "Usage: diskd-actors %s\n", synopsis)
	if intro != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(intro, "\n"))
	}
	type row struct{ flag, help string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		value, help := flag.UnquoteUsage(f)
		spelled := "--" + f.Name
		switch value {
		case "":
		case "string": // no name given in the help: the flag's last word
			spelled += " " + strings.ToUpper(f.Name[strings.LastIndex(f.Name, "-")+1:])
		case "int":
			spelled += " N"
		default:
			spelled += " " + strings.ToUpper(value)
		}
		rows = append(rows, row{spelled, withDefault(f, help)})
		width = max(width, len(spelled))
	})
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w, "\nFlags:")
	for _, r := range rows {
		fmt.Fprintf(w, "  %-*s  %s\n", width, r.flag, r.help)
	}
	fmt.Fprintln(w, "  -h, --help"+strings.Repeat(" ", max(0, width-10))+"  this help")
}

// configKey finds "(config: a.b)" in a flag's help.
var configKey = regexp.MustCompile(`\(config: ([a-z_.]+)\)`)

// withDefault adds a flag's default to its help: its own when it has one
// and the help names none, else that of the config key it overrides, as
// "(config: key; default X)".
func withDefault(f *flag.Flag, help string) string {
	if strings.Contains(help, "default") {
		return help
	}
	if d := f.DefValue; d != "" && d != "0" && d != "false" {
		return fmt.Sprintf("%s (default %s)", help, d)
	}
	if m := configKey.FindStringSubmatchIndex(help); m != nil {
		if d := configDefault(help[m[2]:m[3]]); d != "" {
			return help[:m[3]] + "; default " + d + help[m[3]:]
		}
	}
	return help
}

// configDefault is the built-in default of a config key such as
// "multicast.group", as the config command prints it; "" when it is empty
// or unknown.
func configDefault(key string) string {
	b, err := config.Default().YAML()
	if err != nil {
		return ""
	}
	var v any
	if yaml.Unmarshal(b, &v) != nil {
		return ""
	}
	for _, k := range strings.Split(key, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	switch v.(type) {
	case nil, map[string]any:
		return ""
	}
	s := fmt.Sprint(v)
	if s == "" || s == "0" {
		return ""
	}
	return s
}
