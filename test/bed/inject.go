package bed

import (
	"errors"
	"fmt"
	"net"
	"runtime"

	"golang.org/x/sys/unix"
)

// Inject sends b, one datagram, to the bed's group from inside host h's
// network namespace (netns mode only), as a forged or replayed datagram
// from that host would arrive. The socket is made on a locked thread that
// enters the namespace and comes back before it is unlocked: a thread must
// never end, since the daemons die with the thread that started them
// (Pdeathsig), and no other goroutine may run in the namespace.
func (h *Host) Inject(b []byte) error {
	if h.NS == "" {
		return errors.New(h.Name + ": Inject needs netns mode")
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		back, err := h.injectHere(b)
		if back {
			runtime.UnlockOSThread()
		} // else the thread stays locked and ends with the goroutine
		errc <- err
	}()
	return <-errc
}

// injectHere sends from h's namespace and reports whether the thread is
// back in its own.
func (h *Host) injectHere(b []byte) (back bool, err error) {
	own, err := unix.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return true, fmt.Errorf("open this thread's namespace: %w", err)
	}
	defer unix.Close(own)
	fd, err := unix.Open("/var/run/netns/"+h.NS, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return true, fmt.Errorf("%s: open its namespace: %w", h.Name, err)
	}
	defer unix.Close(fd)
	if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
		return true, fmt.Errorf("%s: enter its namespace: %w", h.Name, err)
	}
	err = h.sendHere(b)
	return unix.Setns(own, unix.CLONE_NEWNET) == nil, err
}

func (h *Host) sendHere(b []byte) error {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(h.Addr)})
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.WriteToUDP(b, &net.UDPAddr{IP: net.ParseIP(h.bed.Group), Port: h.bed.Port})
	return err
}
