package main

import (
	"errors"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/diskd-actors/diskd-actors/actors/sdnotify"
)

// The watchdog pets systemd only while the health ask succeeds, and says
// why in STATUS= when it stops.
func TestWatchdog_petsOnlyWhenHealthy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify")
	srv, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	n, err := sdnotify.New(path)
	if err != nil {
		t.Fatal(err)
	}
	var sick atomic.Bool
	asks := make(chan struct{}, 100)
	s := &service{n: n, log: slog.New(slog.DiscardHandler), quit: make(chan struct{}),
		healthy: func(time.Duration) error {
			select {
			case asks <- struct{}{}:
			default:
			}
			if sick.Load() {
				return errors.New("info did not answer a health check")
			}
			return nil
		}}
	s.wg.Add(1)
	go func() { defer s.wg.Done(); s.watchdog(10 * time.Millisecond) }()
	defer func() { close(s.quit); s.wg.Wait() }()

	read := func() string {
		srv.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 512)
		k, err := srv.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		return string(buf[:k])
	}
	if got := read(); got != "WATCHDOG=1" {
		t.Fatalf("healthy: got %q, want WATCHDOG=1", got)
	}
	sick.Store(true)
	// Pets already in flight may come first; then the status, and after it
	// no pet while the asks keep failing.
	for got := read(); got != "STATUS=unhealthy: info did not answer a health check"; got = read() {
		if got != "WATCHDOG=1" {
			t.Fatalf("sick: got %q, want the unhealthy status", got)
		}
	}
	for len(asks) > 0 {
		<-asks // the asks so far
	}
	for range 5 {
		<-asks // five more failed asks...
	}
	srv.SetReadDeadline(time.Now()) // ...and nothing was sent meanwhile
	if k, _, err := srv.ReadFrom(make([]byte, 512)); err == nil {
		t.Fatalf("sent %d bytes while unhealthy, want nothing", k)
	}
	sick.Store(false)
	if got := read(); got != "STATUS=running" {
		t.Errorf("healthy again: got %q, want STATUS=running", got)
	}
	if got := read(); !strings.HasPrefix(got, "WATCHDOG=1") {
		t.Errorf("healthy again: got %q, want WATCHDOG=1", got)
	}
}
