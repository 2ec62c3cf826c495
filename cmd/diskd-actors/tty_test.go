package main

import (
	"io"
	"testing"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// At the prompt liner leaves the terminal raw; while a stream runs it is
// canonical with echo, so Enter (CR) ends a line the user saw, and liner's
// mode comes back afterwards.
func TestCookedLines_terminal(t *testing.T) {
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer master.Close()
	defer slave.Close()
	if _, err := term.MakeRaw(int(slave.Fd())); err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, master) // the echo
	lines, release := cookedLines(slave)
	io.WriteString(master, "list\r")
	if l := <-lines; l != "list" {
		t.Errorf("line: got %q, want %q", l, "list")
	}
	release()
	tio, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if tio.Lflag&(unix.ICANON|unix.ECHO) != 0 || tio.Iflag&unix.ICRNL != 0 {
		t.Errorf("after release: lflag %#x iflag %#x, want the raw mode back", tio.Lflag, tio.Iflag)
	}
}

func TestInputLines_nil(t *testing.T) {
	lines, release := inputLines(nil)
	release()
	if lines != nil {
		t.Errorf("got a channel for no input, want nil (a stream nothing ends)")
	}
}
