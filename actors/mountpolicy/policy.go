// Package mountpolicy decides whether a peer may have a local disk mounted
// or unmounted, and where: the holder's side of the remote mount request
// (docs/operations.md, "Remote mount"). Pure: values in, decisions out, so
// that every rule is proven by table tests without a disk or a daemon.
//
// Nothing is allowed without a policy; a request is allowed only by a rule
// that names its requester, its action and its disk, and allows every
// option asked for. nosuid and nodev are always added. Mount points are one
// directory below Base, named from a template whose parts are refused,
// never rewritten, when they could leave Base or confuse a reader of the
// mount table.
package mountpolicy

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Actions a rule can allow.
const (
	ActionMount   = "mount"
	ActionUnmount = "unmount"
)

// DefaultName is the mount point template when Policy.Name is empty.
const DefaultName = "{label}"

// Always are the options added to every mount, whatever was asked.
var Always = []string{"nosuid", "nodev"}

// forbidden options can never be allowed: they contradict Always, or turn
// a mount into something else (a bind, a move, a remount of another
// filesystem).
var forbidden = []string{"suid", "dev", "remount", "bind", "rbind", "move", "defaults", "user", "users", "owner", "group"}

// Limits on what a request may carry.
const (
	MaxOptions   = 16
	MaxOptionLen = 64
	maxNameLen   = 255
)

// Policy is mount.policy of the configuration.
type Policy struct {
	// Base is the directory every mount point is directly below.
	Base string `yaml:"base"`
	// Name is the mount point's template: {label}, {uuid} and {fstype}
	// stand for the disk's; default DefaultName.
	Name  string `yaml:"name"`
	Rules []Rule `yaml:"rules"`
}

// Rule allows Allow actions to the nodes From on the disks it selects: all
// of UUID (exact, any case), Label (a path.Match glob) and FSType that are
// set; at least one is. Options are allowed beyond Always.
type Rule struct {
	Allow   []string `yaml:"allow"`
	From    []string `yaml:"from"` // node names; "*" for any keyed peer
	UUID    string   `yaml:"uuid"`
	Label   string   `yaml:"label"`
	FSType  string   `yaml:"fstype"`
	Options []string `yaml:"options"`
}

// Check reports what is wrong with p, all of it; nil when it is usable.
func (p *Policy) Check() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	switch {
	case p.Base == "" || !filepath.IsAbs(p.Base):
		bad("base %q: must be an absolute path", p.Base)
	case filepath.Clean(p.Base) == "/":
		bad("base %q: must not be /", p.Base)
	case filepath.Clean(p.Base) != p.Base:
		bad("base %q: must be clean (no .., //, trailing /)", p.Base)
	case hasControl(p.Base):
		bad("base %q: contains control characters", p.Base)
	}
	if err := checkTemplate(p.name()); err != nil {
		bad("name %q: %v", p.Name, err)
	}
	if len(p.Rules) == 0 {
		bad("rules: none; every request would be refused (remove mount.policy instead)")
	}
	for i, r := range p.Rules {
		if err := r.check(); err != nil {
			bad("rules[%d]: %v", i, err)
		}
	}
	return errors.Join(errs...)
}

func (r *Rule) check() error {
	if len(r.Allow) == 0 {
		return errors.New("allow: empty; want mount and/or unmount")
	}
	for _, a := range r.Allow {
		if a != ActionMount && a != ActionUnmount {
			return fmt.Errorf("allow: %q; want mount or unmount", a)
		}
	}
	if len(r.From) == 0 {
		return errors.New(`from: empty; want node names or "*"`)
	}
	for _, f := range r.From {
		if f != "*" && !validNode(f) {
			return fmt.Errorf("from: %q is not a node name", f)
		}
	}
	if r.UUID == "" && r.Label == "" && r.FSType == "" {
		return errors.New("selects no disk: set uuid, label and/or fstype")
	}
	if _, err := path.Match(r.Label, ""); err != nil {
		return fmt.Errorf("label %q: %v", r.Label, err)
	}
	for _, o := range r.Options {
		if err := checkOption(o); err != nil {
			return fmt.Errorf("options: %v", err)
		}
		if slices.Contains(forbidden, o) {
			return fmt.Errorf("options: %q can never be allowed", o)
		}
	}
	return nil
}

func (p *Policy) name() string {
	if p.Name == "" {
		return DefaultName
	}
	return p.Name
}

// selects reports whether r names the disk.
func (r *Rule) selects(d Disk) bool {
	if r.UUID != "" && !strings.EqualFold(r.UUID, d.UUID) {
		return false
	}
	if r.Label != "" {
		if ok, _ := path.Match(r.Label, d.Label); !ok {
			return false
		}
	}
	return r.FSType == "" || r.FSType == d.FSType
}

func (r *Rule) admits(from string) bool {
	return slices.Contains(r.From, "*") || slices.Contains(r.From, from)
}

func validNode(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '.' && c != '_' && c != '-') {
			return false
		}
	}
	return true
}
