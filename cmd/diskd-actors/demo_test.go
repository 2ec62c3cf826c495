package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
)

func TestIsGoRunBinary(t *testing.T) {
	for exe, want := range map[string]bool{
		"/tmp/go-build2841/b001/exe/diskd-actors":       true,
		"/var/tmp/x/go-build9/b001/exe/diskd-actors":    true,
		"/usr/local/bin/diskd-actors":                   false,
		"/home/u/src/diskd-actors/bin/diskd-actors":     false,
		"/home/u/exe/diskd-actors":                      false,
		"/root/.cache/go-build/ab/exe/diskd-actors-xyz": false,
		"/root/.cache/go-build/cd/cd3d4510ce610fdbb5774f9e159bfd8ef7c7f4c717aa4f09e84cf697f52102d7-d/diskd-actors": true,
		"/root/.cache/go-build/cd/cd3d4510ce610fdbb5774f9e159bfd8ef7c7f4c717aa4f09e84cf697f52102d7-a/diskd-actors": false,
	} {
		if got := isGoRunBinary(exe); got != want {
			t.Errorf("isGoRunBinary(%q) = %v, want %v", exe, got, want)
		}
	}
}

func TestGoRunPackage(t *testing.T) {
	root := t.TempDir()
	pkg := filepath.Join(root, "cmd", "diskd-actors")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module github.com/diskd-actors/diskd-actors\n\ngo 1.26.8\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for wd, want := range map[string]string{
		root:                        "./cmd/diskd-actors",
		pkg:                         ".",
		filepath.Join(root, "cmd"):  "./diskd-actors",
		filepath.Join(root, "docs"): "../cmd/diskd-actors",
		other:                       "./cmd/diskd-actors", // not in the module: the README's form
	} {
		if got := goRunPackage(wd); got != want {
			t.Errorf("goRunPackage(%q) = %q, want %q", wd, got, want)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/tmp/diskd-demo-1/demo1.sock": "/tmp/diskd-demo-1/demo1.sock",
		"/home/me/my bin/diskd-actors": "'/home/me/my bin/diskd-actors'",
		"it's":                         `'it'\''s'`,
		"":                             "''",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDemoPort(t *testing.T) {
	p, err := demoPort(0)
	if err != nil || p == 0 {
		t.Fatalf("demoPort(0) = %d, %v; want a free port", p, err)
	}
	busy, err := listenUDP(p)
	if err != nil {
		t.Skipf("the free port %d was taken meanwhile: %v", p, err)
	}
	defer busy.Close()
	if _, err := demoPort(p); err == nil {
		t.Errorf("demoPort(%d) with the port held: no error, want it refused", p)
	}
}

func listenUDP(port int) (interface{ Close() error }, error) {
	return net.ListenPacket("udp4", fmt.Sprintf("127.0.0.1:%d", port))
}
