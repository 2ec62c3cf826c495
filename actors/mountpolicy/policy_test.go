package mountpolicy

import (
	"path/filepath"
	"strings"
	"testing"
)

func testPolicy() *Policy {
	return &Policy{Base: "/srv/diskd", Rules: []Rule{
		{Allow: []string{ActionMount, ActionUnmount}, From: []string{"node-a", "node-b"}, Label: "backup*", Options: []string{"ro", "noatime"}},
		{Allow: []string{ActionMount}, From: []string{"*"}, UUID: "1234-ABCD", FSType: "ext4"},
	}}
}

func TestDecide(t *testing.T) {
	backup := Disk{UUID: "u1", Label: "backup1", FSType: "ext4", Device: "/dev/sdb1"}
	mounted := backup
	mounted.Mounts = []string{"/srv/diskd/backup1"}
	elsewhere := backup
	elsewhere.Mounts = []string{"/home"}
	byUUID := Disk{UUID: "1234-abcd", Label: "data", FSType: "ext4"}
	for _, tc := range []struct {
		name    string
		p       *Policy
		req     Request
		d       Disk
		verdict string
		point   string
		opts    string
		reason  string
	}{
		{"no policy", nil, Request{"node-a", ActionMount, nil}, backup, Refused, "", "", "no mount.policy"},
		{"allowed", testPolicy(), Request{"node-a", ActionMount, nil}, backup, Run, "/srv/diskd/backup1", "nosuid,nodev", "rule 0"},
		{"allowed options", testPolicy(), Request{"node-b", ActionMount, []string{"ro", "noatime"}}, backup, Run, "/srv/diskd/backup1", "nosuid,nodev,ro,noatime", ""},
		{"unknown node", testPolicy(), Request{"node-c", ActionMount, nil}, backup, Refused, "", "", "no rule allows mount"},
		{"label outside glob", testPolicy(), Request{"node-a", ActionMount, nil}, Disk{UUID: "u", Label: "home", FSType: "ext4"}, Refused, "", "", "no rule"},
		{"exec", testPolicy(), Request{"node-a", ActionMount, []string{"exec"}}, backup, Refused, "", "", `option "exec" is not allowed`},
		{"suid", testPolicy(), Request{"node-a", ActionMount, []string{"suid"}}, backup, Refused, "", "", `option "suid"`},
		{"ro,exec", testPolicy(), Request{"node-a", ActionMount, []string{"ro", "exec"}}, backup, Refused, "", "", `option "exec"`},
		{"comma smuggled", testPolicy(), Request{"node-a", ActionMount, []string{"ro,exec"}}, backup, Refused, "", "", "want [a-z0-9_.=-]"},
		{"bad action", testPolicy(), Request{"node-a", "format", nil}, backup, Refused, "", "", "unknown action"},
		{"already mounted", testPolicy(), Request{"node-a", ActionMount, nil}, mounted, Done, "/srv/diskd/backup1", "", "already mounted"},
		{"mounted elsewhere answers its point", testPolicy(), Request{"node-a", ActionMount, nil}, elsewhere, Done, "/home", "", "already"},
		{"unmount", testPolicy(), Request{"node-a", ActionUnmount, nil}, mounted, Run, "/srv/diskd/backup1", "", ""},
		{"unmount with options", testPolicy(), Request{"node-a", ActionUnmount, []string{"ro"}}, mounted, Refused, "", "", "no options"},
		{"unmount outside base", testPolicy(), Request{"node-a", ActionUnmount, nil}, elsewhere, Refused, "/home", "", "left alone"},
		{"unmount not mounted", testPolicy(), Request{"node-a", ActionUnmount, nil}, backup, Done, "", "", "not mounted"},
		{"unmount not allowed by rule 1", testPolicy(), Request{"node-z", ActionUnmount, nil}, byUUID, Refused, "", "", "no rule"},
		{"any node by uuid, any case", testPolicy(), Request{"node-z", ActionMount, nil}, byUUID, Run, "/srv/diskd/data", "nosuid,nodev", "rule 1"},
		{"uuid rule wants ext4", testPolicy(), Request{"node-z", ActionMount, nil}, Disk{UUID: "1234-ABCD", Label: "data", FSType: "xfs"}, Refused, "", "", "no rule"},
		{"label ../../etc", testPolicy(), Request{"node-z", ActionMount, nil}, Disk{UUID: "1234-ABCD", Label: "../../etc", FSType: "ext4"}, Refused, "", "", "contains /"},
		{"label a/b", testPolicy(), Request{"node-z", ActionMount, nil}, Disk{UUID: "1234-ABCD", Label: "a/b", FSType: "ext4"}, Refused, "", "", "contains /"},
		{"label ..", testPolicy(), Request{"node-z", ActionMount, nil}, Disk{UUID: "1234-ABCD", Label: "..", FSType: "ext4"}, Refused, "", "", `contains ".."`},
		{"label .", testPolicy(), Request{"node-z", ActionMount, nil}, Disk{UUID: "1234-ABCD", Label: ".", FSType: "ext4"}, Refused, "", "", `is "."`},
		{"label newline", testPolicy(), Request{"node-z", ActionMount, nil}, Disk{UUID: "1234-ABCD", Label: "a\nb", FSType: "ext4"}, Refused, "", "", "control"},
		{"label tab", testPolicy(), Request{"node-z", ActionMount, nil}, Disk{UUID: "1234-ABCD", Label: "a\tb", FSType: "ext4"}, Refused, "", "", "control"},
		{"label bad utf-8", testPolicy(), Request{"node-z", ActionMount, nil}, Disk{UUID: "1234-ABCD", Label: "a\xffb", FSType: "ext4"}, Refused, "", "", "UTF-8"},
		{"no label", testPolicy(), Request{"node-z", ActionMount, nil}, Disk{UUID: "1234-ABCD", FSType: "ext4"}, Refused, "", "", "label is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.p.Decide(tc.req, tc.d)
			if d.Verdict != tc.verdict || d.Point != tc.point || strings.Join(d.Options, ",") != tc.opts || !strings.Contains(d.Reason, tc.reason) {
				t.Errorf("Decide = %+v; want verdict %s point %q options %q reason containing %q", d, tc.verdict, tc.point, tc.opts, tc.reason)
			}
			if d.Verdict == Run && tc.req.Action == ActionMount && filepath.Dir(d.Point) != tc.p.Base {
				t.Errorf("mount point %q not directly below %s", d.Point, tc.p.Base)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	good := testPolicy()
	if err := good.Check(); err != nil {
		t.Fatalf("good policy: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(p *Policy)
		want string
	}{
		{"relative base", func(p *Policy) { p.Base = "srv" }, "absolute"},
		{"empty base", func(p *Policy) { p.Base = "" }, "absolute"},
		{"root base", func(p *Policy) { p.Base = "/" }, "must not be /"},
		{"unclean base", func(p *Policy) { p.Base = "/srv/../etc" }, "clean"},
		{"trailing slash", func(p *Policy) { p.Base = "/srv/" }, "clean"},
		{"control in base", func(p *Policy) { p.Base = "/srv/a\nb" }, "control"},
		{"no rules", func(p *Policy) { p.Rules = nil }, "rules: none"},
		{"bad action", func(p *Policy) { p.Rules[0].Allow = []string{"format"} }, "want mount or unmount"},
		{"no action", func(p *Policy) { p.Rules[0].Allow = nil }, "allow: empty"},
		{"no from", func(p *Policy) { p.Rules[0].From = nil }, "from: empty"},
		{"bad from", func(p *Policy) { p.Rules[0].From = []string{"a b"} }, "not a node name"},
		{"no selector", func(p *Policy) { p.Rules[0].Label = "" }, "selects no disk"},
		{"bad glob", func(p *Policy) { p.Rules[0].Label = "[" }, "label"},
		{"suid allowed", func(p *Policy) { p.Rules[0].Options = []string{"suid"} }, "never be allowed"},
		{"bind allowed", func(p *Policy) { p.Rules[0].Options = []string{"bind"} }, "never be allowed"},
		{"comma option", func(p *Policy) { p.Rules[0].Options = []string{"ro,exec"} }, "want [a-z0-9_.=-]"},
		{"template slash", func(p *Policy) { p.Name = "x/{label}" }, "contains /"},
		{"template unknown", func(p *Policy) { p.Name = "{device}" }, "unknown part"},
		{"template unclosed", func(p *Policy) { p.Name = "{label" }, "unclosed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testPolicy()
			tc.edit(p)
			err := p.Check()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Check = %v; want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestParseOptions(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{"", "", ""},
		{"ro", "ro", ""},
		{"ro,noatime,ro", "ro,noatime", ""},
		{"ro,,exec", "", "want 1 to"},
		{"ro exec", "", "want [a-z0-9_.=-]"},
		{"-o", "", "starting with a letter"},
		{"uid=1000", "uid=1000", ""},
		{strings.Repeat("a,", 16) + "a", "", "17 options"},
		{strings.Repeat("a", 65), "", "want 1 to 64"},
	} {
		got, err := ParseOptions(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseOptions(%q) error %v; want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || strings.Join(got, ",") != tc.want {
			t.Errorf("ParseOptions(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestMountPointTemplate(t *testing.T) {
	d := Disk{UUID: "u-1", Label: "backup", FSType: "ext4"}
	p, err := MountPoint("/srv/diskd", "{fstype}-{label}-{uuid}", d)
	if err != nil || p != "/srv/diskd/ext4-backup-u-1" {
		t.Fatalf("MountPoint = %q, %v", p, err)
	}
	if _, err := MountPoint("/srv/diskd", "{label}", Disk{Label: strings.Repeat("x", 256)}); err == nil {
		t.Fatal("a 256-byte name was accepted")
	}
}

// FuzzDecide holds the invariants for any label, uuid and options from
// outside: a mount that runs is directly below base, carries nosuid,nodev
// first and only options the rule allows.
func FuzzDecide(f *testing.F) {
	for _, s := range [][3]string{{"backup1", "u1", "ro"}, {"../../etc", "1234-abcd", ""}, {"a/b", "x", "ro,exec"},
		{"a\nb", "1234-ABCD", "noatime"}, {"..", "1234-abcd", ""}, {"backup\x00", "u", "ro,,"}} {
		f.Add(s[0], s[1], s[2], "node-a")
	}
	pol := testPolicy()
	f.Fuzz(func(t *testing.T, label, uuid, opts, from string) {
		o, err := ParseOptions(opts)
		if err != nil {
			return
		}
		d := pol.Decide(Request{From: from, Action: ActionMount, Options: o}, Disk{UUID: uuid, Label: label, FSType: "ext4"})
		if d.Verdict != Run {
			return
		}
		if filepath.Dir(d.Point) != pol.Base || strings.ContainsAny(filepath.Base(d.Point), "/\n") || strings.Contains(d.Point, "..") {
			t.Fatalf("mount point %q escapes %s", d.Point, pol.Base)
		}
		if len(d.Options) < 2 || d.Options[0] != "nosuid" || d.Options[1] != "nodev" {
			t.Fatalf("options %q lack nosuid,nodev", d.Options)
		}
		for _, x := range d.Options[2:] {
			if !strings.Contains(","+strings.Join(pol.Rules[d.Rule].Options, ",")+",", ","+x+",") {
				t.Fatalf("option %q not allowed by rule %d", x, d.Rule)
			}
		}
	})
}
