package blkid

import "strings"

// RawOutput reports whether argv runs blkid with -d (--no-encoding), that is
// whether its output is raw rather than encoded. It reads argv as blkid's
// getopt would, so the argument of an option (-o, -s, -c ...) is not taken
// for a flag, and clusters such as -do or abbreviations such as --no-enc
// count.
func RawOutput(argv []string) bool {
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		switch {
		case a == "--":
			return false
		case strings.HasPrefix(a, "--"):
			name, _, hasValue := strings.Cut(a[2:], "=")
			long, takesArg := longOpt(name)
			if long == "no-encoding" {
				return true
			}
			if takesArg && !hasValue {
				i++
			}
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				if a[j] == 'd' {
					return true
				}
				if strings.IndexByte(argOpts, a[j]) >= 0 {
					if j == len(a)-1 {
						i++ // the argument is the next word
					}
					break
				}
			}
		}
	}
	return false
}

// argOpts are the short options of blkid (util-linux 2.38, getopt
// string "c:DdgH:hilL:n:ko:O:ps:S:t:u:U:w:Vv") that take an argument.
const argOpts = "cHLnoOsStuUw"

// longOpts are blkid's long options and whether each takes an argument.
var longOpts = []struct {
	name string
	arg  bool
}{
	{"cache-file", true}, {"no-encoding", false}, {"garbage-collect", false},
	{"output", true}, {"list-filesystems", false}, {"match-tag", true},
	{"match-token", true}, {"list-one", false}, {"label", true}, {"uuid", true},
	{"probe", false}, {"info", false}, {"hint", true}, {"size", true},
	{"offset", true}, {"usages", true}, {"match-types", true},
	{"no-part-details", false}, {"help", false}, {"version", false},
}

// longOpt resolves a long option, or an unambiguous prefix of one as
// getopt_long accepts.
func longOpt(name string) (string, bool) {
	found := -1
	for i, o := range longOpts {
		if o.name == name {
			return o.name, o.arg
		}
		if name != "" && strings.HasPrefix(o.name, name) {
			if found >= 0 {
				return "", false // ambiguous: blkid rejects it
			}
			found = i
		}
	}
	if found < 0 {
		return "", false
	}
	return longOpts[found].name, longOpts[found].arg
}
