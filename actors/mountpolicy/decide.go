package mountpolicy

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Disk is what the holder knows of a local disk, from its own scan: never
// from the request.
type Disk struct {
	UUID, Label, FSType, Device string
	Mounts                      []string // where it is mounted now
}

// Request is one request as the holder received it.
type Request struct {
	From    string   // the authenticated requesting node
	Action  string   // ActionMount or ActionUnmount
	Options []string // asked for, beyond Always (ParseOptions)
}

// Verdicts of a Decision.
const (
	Run     = "run"     // run mount or umount with Options at Point
	Done    = "done"    // nothing to run: already in the state asked for
	Refused = "refused" // not allowed; Reason says why
)

// Decision is the holder's answer to a request.
type Decision struct {
	Verdict string
	Reason  string   // why, for the audit line and the requester
	Rule    int      // the rule that allowed it; -1 when none did
	Point   string   // the mount point to mount at or unmount, or the current one
	Options []string // for Run of a mount: Always, then what was asked
}

func refuse(format string, a ...any) Decision {
	return Decision{Verdict: Refused, Rule: -1, Reason: fmt.Sprintf(format, a...)}
}

// Decide decides req for disk d under p; a nil p refuses everything.
func (p *Policy) Decide(req Request, d Disk) Decision {
	if p == nil {
		return refuse("no mount.policy on this host")
	}
	if req.Action != ActionMount && req.Action != ActionUnmount {
		return refuse("unknown action %.20q", req.Action)
	}
	if req.Action == ActionUnmount && len(req.Options) > 0 {
		return refuse("unmount takes no options")
	}
	for _, o := range req.Options {
		if err := checkOption(o); err != nil {
			return refuse("%v", err)
		}
	}
	rule, why := p.match(req, d)
	if rule < 0 {
		return refuse("%s", why)
	}
	if req.Action == ActionUnmount {
		for _, m := range d.Mounts {
			if p.below(m) {
				return Decision{Verdict: Run, Rule: rule, Point: m, Reason: "allowed by rule " + fmt.Sprint(rule)}
			}
		}
		if len(d.Mounts) > 0 {
			return Decision{Verdict: Refused, Rule: rule, Point: d.Mounts[0],
				Reason: "mounted outside " + p.Base + ", not by diskd-actors: left alone"}
		}
		return Decision{Verdict: Done, Rule: rule, Reason: "not mounted"}
	}
	if len(d.Mounts) > 0 {
		return Decision{Verdict: Done, Rule: rule, Point: d.Mounts[0], Reason: "already mounted"}
	}
	point, err := MountPoint(p.Base, p.name(), d)
	if err != nil {
		return Decision{Verdict: Refused, Rule: rule, Reason: err.Error()}
	}
	opts := append(slices.Clone(Always), req.Options...)
	return Decision{Verdict: Run, Rule: rule, Point: point, Options: opts, Reason: "allowed by rule " + fmt.Sprint(rule)}
}

// match finds the first rule that allows req on d, or says why none does.
func (p *Policy) match(req Request, d Disk) (int, string) {
	why := fmt.Sprintf("no rule allows %s of this disk from %s", req.Action, req.From)
	for i := range p.Rules {
		r := &p.Rules[i]
		if !slices.Contains(r.Allow, req.Action) || !r.admits(req.From) || !r.selects(d) {
			continue
		}
		if o, ok := firstOutside(req.Options, r.Options); ok {
			why = fmt.Sprintf("option %q is not allowed (rule %d allows %s beyond nosuid,nodev)", o, i, list(r.Options))
			continue
		}
		return i, ""
	}
	return -1, why
}

func firstOutside(asked, allowed []string) (string, bool) {
	for _, o := range asked {
		if !slices.Contains(allowed, o) {
			return o, true
		}
	}
	return "", false
}

func list(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ",")
}

// below reports whether m is a mount point this policy makes: directly
// below Base.
func (p *Policy) below(m string) bool {
	return filepath.Dir(m) == p.Base && filepath.Base(m) != ".." && m != p.Base
}

// ParseOptions splits a comma-separated option list ("ro,noatime") as a
// client gives it; "" is none. Each option is checkOption'ed, and there
// are at most MaxOptions; duplicates are dropped.
func ParseOptions(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) > MaxOptions {
		return nil, fmt.Errorf("%d options, limit %d", len(parts), MaxOptions)
	}
	var out []string
	for _, o := range parts {
		if err := checkOption(o); err != nil {
			return nil, err
		}
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out, nil
}

// checkOption accepts one mount option of [a-z0-9_.=-], starting with a
// letter: no comma (which would smuggle in a second option), no space, no
// quoting.
func checkOption(o string) error {
	if o == "" || len(o) > MaxOptionLen {
		return fmt.Errorf("option %.80q: want 1 to %d characters", o, MaxOptionLen)
	}
	for i := 0; i < len(o); i++ {
		c := o[i]
		ok := c >= 'a' && c <= 'z' || i > 0 && (c >= '0' && c <= '9' || c == '_' || c == '.' || c == '=' || c == '-')
		if !ok {
			return fmt.Errorf("option %.80q: want [a-z0-9_.=-], starting with a letter", o)
		}
	}
	return nil
}

// MountPoint names d's mount point: tmpl with its parts filled in, as one
// directory directly below base. A part that is empty, contains "/", "..",
// a control character or invalid UTF-8 is refused, not cleaned, so that a
// crafted label cannot pick a path.
func MountPoint(base, tmpl string, d Disk) (string, error) {
	name, err := expand(tmpl, d)
	if err != nil {
		return "", err
	}
	if err := checkPart("name", name); err != nil {
		return "", err
	}
	if len(name) > maxNameLen {
		return "", fmt.Errorf("mount point name of %d bytes, limit %d", len(name), maxNameLen)
	}
	point := filepath.Join(base, name)
	if filepath.Dir(point) != filepath.Clean(base) {
		return "", fmt.Errorf("mount point %q is not directly below %s", point, base)
	}
	return point, nil
}

// expand fills in {label}, {uuid} and {fstype}, each checked.
func expand(tmpl string, d Disk) (string, error) {
	var b strings.Builder
	for rest := tmpl; rest != ""; {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return "", errors.New("template: unclosed {")
		}
		key := rest[i+1 : i+j]
		var v string
		switch key {
		case "label":
			v = d.Label
		case "uuid":
			v = d.UUID
		case "fstype":
			v = d.FSType
		default:
			return "", fmt.Errorf("template: unknown part {%.20s}", key)
		}
		if err := checkPart(key, v); err != nil {
			return "", err
		}
		b.WriteString(v)
		rest = rest[i+j+1:]
	}
	return b.String(), nil
}

// checkTemplate checks a template with a harmless disk.
func checkTemplate(tmpl string) error {
	_, err := MountPoint("/base", tmpl, Disk{UUID: "u", Label: "l", FSType: "t"})
	return err
}

func checkPart(key, v string) error {
	switch {
	case v == "":
		return fmt.Errorf("%s is empty: no mount point can be named from it", key)
	case !utf8.ValidString(v):
		return fmt.Errorf("%s %q is not valid UTF-8", key, v)
	case strings.Contains(v, "/"):
		return fmt.Errorf("%s %q contains /", key, v)
	case strings.Contains(v, ".."):
		return fmt.Errorf("%s %q contains \"..\"", key, v)
	case v == ".":
		return fmt.Errorf("%s %q is \".\"", key, v)
	case hasControl(v):
		return fmt.Errorf("%s %q contains a control character", key, v)
	}
	return nil
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError })
}
