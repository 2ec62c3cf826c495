package main

import (
	"io"
	"os"
	"strings"

	"github.com/diskd-actors/diskd-actors/messages/lineproto"
	"golang.org/x/sys/unix"
)

// Ending a stream. A streaming command ("debug") answers with data lines
// until the client sends a line: whatever line the user types (Enter alone
// will do) is the signal. The client then sends one empty line, which the
// daemon takes as the end of the stream and answers with the status line
// (an empty line is also harmless should the stream have ended already: the
// daemon ignores blank lines). What the user typed, when it is not blank, is
// run as the next command by the interactive modes. docs/operations.md
// ("Ending debug") says what daemon and client rely on.

// stream sends a streaming command and prints its data lines until the
// status line comes. The first line from stop ends the stream; it is
// returned as typed. A closed stop (end of input) does not end the stream.
func (c *conn) stream(line string, onLine func(string), stop <-chan string) (a lineproto.Answer, typed string, err error) {
	if err := c.send(line); err != nil {
		return lineproto.Answer{}, "", err
	}
	type result struct {
		a   lineproto.Answer
		err error
	}
	done := make(chan result, 1)
	go func() {
		a, err := c.r.ReadAnswer(onLine)
		done <- result{a, err}
	}()
	for {
		select {
		case r := <-done:
			return r.a, typed, r.err
		case l, ok := <-stop:
			stop = nil // one line ends it; later ones wait for their turn
			if ok {
				typed = l
				_ = c.send("") // a broken connection shows in the answer
			}
		}
	}
}

// inputLines reads lines from r in a goroutine, one at a time and only when
// asked (it reads byte by byte, so that nothing after the line is taken
// from a shared input). The channel closes at end of input; release stops
// the reading before the next line is asked for.
func inputLines(r io.Reader) (lines <-chan string, release func()) {
	if r == nil {
		return nil, func() {} // no input: nothing ends the stream from here
	}
	if f, ok := r.(*os.File); ok {
		return fileLines(f)
	}
	ch := make(chan string, 1)
	quit := make(chan struct{})
	go func() {
		defer close(ch)
		l, err := readByteLine(func(b []byte) (int, error) { return r.Read(b) })
		if err != nil && l == "" {
			return
		}
		select {
		case ch <- l:
		case <-quit:
		}
	}()
	return ch, func() { close(quit) }
}

// fileLines is inputLines for a file, a pipe or a terminal: it polls the
// descriptor together with a pipe of its own, so that release stops it
// without it reading on (a terminal's next line belongs to the prompt).
// release returns once the reader has stopped.
func fileLines(f *os.File) (lines <-chan string, release func()) {
	ch := make(chan string, 1)
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		close(ch)
		return ch, func() {}
	}
	stopped := make(chan struct{})
	fd := int(f.Fd())
	go func() {
		defer close(stopped)
		defer close(ch)
		defer unix.Close(p[0])
		l, err := readByteLine(func(b []byte) (int, error) {
			fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}, {Fd: int32(p[0]), Events: unix.POLLIN}}
			for {
				_, err := unix.Poll(fds, -1)
				if err == unix.EINTR {
					continue
				}
				if err != nil || fds[1].Revents != 0 {
					return 0, io.EOF
				}
				break
			}
			n, err := unix.Read(fd, b)
			if n <= 0 && err == nil {
				err = io.EOF
			}
			return max(n, 0), err
		})
		if err != nil && l == "" {
			return
		}
		ch <- l // buffered: never blocks
	}()
	return ch, func() {
		unix.Write(p[1], []byte{0})
		<-stopped
		unix.Close(p[1])
	}
}

// readByteLine reads up to and including a LF, one byte per read, and
// returns the line without its line end. A line longer than maxInputLine is
// cut there (the rest is left unread).
func readByteLine(read func([]byte) (int, error)) (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for b.Len() < maxInputLine {
		n, err := read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				return strings.TrimSuffix(b.String(), "\r"), nil
			}
			b.WriteByte(buf[0])
		}
		if err != nil {
			return b.String(), err
		}
	}
	return b.String(), nil
}

// cookedLines is fileLines for the prompt's terminal. liner keeps the
// terminal raw (no echo, Enter as CR) between prompts, so while a stream
// runs the terminal is put back in canonical mode with echo, for the user
// to see and edit the line that ends it; release restores liner's mode.
func cookedLines(f *os.File) (lines <-chan string, release func()) {
	fd := int(f.Fd())
	saved, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err == nil {
		cooked := *saved
		cooked.Lflag |= unix.ICANON | unix.ECHO | unix.ECHOE | unix.ECHOK | unix.ISIG | unix.IEXTEN
		cooked.Iflag |= unix.ICRNL
		if unix.IoctlSetTermios(fd, unix.TCSETS, &cooked) != nil {
			saved = nil
		}
	}
	lines, stop := fileLines(f)
	return lines, func() {
		stop()
		if saved != nil {
			_ = unix.IoctlSetTermios(fd, unix.TCSETS, saved)
		}
	}
}
