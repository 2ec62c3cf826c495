package uevent

import (
	"errors"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// The socket opens without privileges; Close ends a blocked Read. As root,
// a "change" written to a loop device's uevent file comes back as a block
// event from the kernel.
func TestConn(t *testing.T) {
	defer goleak.VerifyNone(t)
	c, err := Listen(1 << 20)
	if err != nil {
		t.Skipf("SKIP: cannot open the kernel's uevent socket here (a container without netlink?): %v", err)
	}
	events := make(chan Event, 16)
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, MaxEvent)
		for {
			n, err := c.Read(buf)
			if err != nil {
				if errors.Is(err, os.ErrClosed) {
					done <- nil
				} else if !errors.Is(err, ErrOverflow) && !errors.Is(err, ErrNotFromKernel) {
					done <- err
				} else {
					continue
				}
				return
			}
			if e, err := Parse(buf[:n]); err == nil {
				select {
				case events <- e:
				default:
				}
			}
		}
	}()
	if os.Geteuid() == 0 {
		if err := os.WriteFile("/sys/class/block/loop0/uevent", []byte("change"), 0); err != nil {
			t.Logf("cannot trigger an event (%v); checking Close only", err)
		} else {
			deadline := time.After(10 * time.Second)
		wait:
			for {
				select {
				case e := <-events:
					if e.BlockChange() && e.DevName == "loop0" && e.Action == "change" {
						break wait
					}
				case <-deadline:
					t.Error("no change event for loop0 within 10s")
					break wait
				}
			}
		}
	} else {
		t.Log("not root: cannot trigger an event; checking Close only")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("read: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Read did not return after Close")
	}
}
