package config

import (
	"strings"
	"testing"
	"time"
)

func TestMountPolicyParses(t *testing.T) {
	c, err := Parse([]byte(`
node: holder
mount:
  policy:
    base: /srv/diskd
    rules:
      - allow: [mount, unmount]
        from: [node-a, node-b]
        label: "backup*"
        options: [ro, noatime]
`))
	if err != nil {
		t.Fatal(err)
	}
	p := c.Mount.Policy
	if p == nil || p.Base != "/srv/diskd" || len(p.Rules) != 1 || p.Rules[0].Label != "backup*" ||
		strings.Join(p.Rules[0].Options, ",") != "ro,noatime" || strings.Join(p.Rules[0].From, ",") != "node-a,node-b" {
		t.Fatalf("policy = %+v", p)
	}
	if c.Mount.Timeout != DefaultMountTimeout || c.Mount.Command[0] != "mount" {
		t.Fatalf("defaults lost: %+v", c.Mount)
	}
}

func TestMountConfigRefused(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"relative base", "mount:\n  policy:\n    base: srv\n    rules: [{allow: [mount], from: ['*'], label: x}]\n", "must be an absolute path"},
		{"no rules", "mount:\n  policy:\n    base: /srv\n", "rules: none"},
		{"unknown rule field", "mount:\n  policy:\n    base: /srv\n    rules: [{allow: [mount], from: ['*'], lable: x}]\n", "lable"},
		{"suid allowed", "mount:\n  policy:\n    base: /srv\n    rules: [{allow: [mount], from: ['*'], label: x, options: [suid]}]\n", "never be allowed"},
		{"wait not above timeout", "mount:\n  timeout: 30s\n  wait: 30s\n", "mount.wait"},
		{"empty command", "mount:\n  command: []\n", "mount.command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte("node: holder\n" + tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse error %v; want %q", err, tc.want)
			}
		})
	}
	c := Default()
	if c.Mount.Policy != nil || c.Mount.Wait <= c.Mount.Timeout || c.Mount.Timeout != 20*time.Second {
		t.Fatalf("default mount section: %+v", c.Mount)
	}
}

// A reload compares the policy by value: the same policy is no change,
// another base is one that needs a restart.
func TestMountPolicyChanges(t *testing.T) {
	doc := "node: holder\nmount:\n  policy:\n    base: /srv/%s\n    rules: [{allow: [mount], from: ['*'], label: x}]\n"
	parse := func(base string) *Config {
		c, err := Parse([]byte(strings.ReplaceAll(doc, "%s", base)))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if live, restart := Changes(parse("a"), parse("a")); len(live)+len(restart) != 0 {
		t.Errorf("the same policy: live %q, restart %q; want no change", live, restart)
	}
	if _, restart := Changes(parse("a"), parse("b")); strings.Join(restart, ",") != "mount.policy" {
		t.Errorf("another base: restart %q, want mount.policy", restart)
	}
}
