package bed

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// netnsIface is the name of each host's veth inside its namespace.
const netnsIface = "veth0"

// netnsPrefix starts the name of every namespace a bed creates:
// dbed-PID-N-br (the bridge) and dbed-PID-N-hI (host I), where PID is the
// test process and N counts the beds it made.
const netnsPrefix = "dbed-"

var netnsSeq atomic.Int64

// netnsNet is one bed's namespaces: a bridge namespace holding br0 and the
// host-side ends of the veth pairs, and one namespace per host.
type netnsNet struct {
	base     string // dbed-PID-N
	bridgeNS string
	hostNS   []string
	addr     []string
	made     []string // namespaces created, for close
}

// newNetnsNet creates the bridge namespace; addHost adds the hosts. Every
// link is created directly inside the namespaces (`ip -n NS link add …
// netns OTHER`), never in the root namespace. Addresses are 198.18.x.y/15
// (the range reserved for network tests); each host routes 224.0.0.0/4
// through its veth, so multicast crosses the bridge and nothing else. IGMP
// snooping is off on the bridge: every port gets every group, with no
// querier needed.
func newNetnsNet() (*netnsNet, error) {
	sweepStaleNamespaces()
	base := fmt.Sprintf("%s%d-%d", netnsPrefix, os.Getpid(), netnsSeq.Add(1))
	nn := &netnsNet{base: base, bridgeNS: base + "-br"}
	if err := nn.add(nn.bridgeNS); err != nil {
		return nn, err
	}
	if err := nn.br("link", "add", "br0", "type", "bridge", "mcast_snooping", "0"); err != nil {
		return nn, err
	}
	if err := nn.br("link", "set", "br0", "up"); err != nil {
		return nn, err
	}
	return nn, nil
}

// br runs ip in the bridge namespace.
func (nn *netnsNet) br(args ...string) error {
	return ip(append([]string{"-n", nn.bridgeNS}, args...)...)
}

// addHost creates host i's namespace, its veth pair to the bridge, its
// address and its multicast route.
func (nn *netnsNet) addHost(i int) (ns, addr string, err error) {
	ns = fmt.Sprintf("%s-h%d", nn.base, i)
	addr = fmt.Sprintf("198.18.%d.%d", i/250, 1+i%250)
	nn.hostNS, nn.addr = append(nn.hostNS, ns), append(nn.addr, addr)
	if err := nn.add(ns); err != nil {
		return ns, addr, err
	}
	port := fmt.Sprintf("p%d", i) // the bridge end, in the bridge namespace
	h := func(args ...string) error { return ip(append([]string{"-n", ns}, args...)...) }
	for _, step := range []func() error{
		func() error {
			return nn.br("link", "add", port, "type", "veth", "peer", "name", netnsIface, "netns", ns)
		},
		func() error { return nn.br("link", "set", port, "master", "br0") },
		func() error { return nn.br("link", "set", port, "up") },
		func() error { return h("link", "set", "lo", "up") },
		func() error { return h("addr", "add", addr+"/15", "dev", netnsIface) },
		func() error { return h("link", "set", netnsIface, "up") },
		func() error { return h("route", "add", "224.0.0.0/4", "dev", netnsIface) },
	} {
		if err := step(); err != nil {
			return ns, addr, err
		}
	}
	return ns, addr, nil
}

func (nn *netnsNet) add(ns string) error {
	if err := ip("netns", "add", ns); err != nil {
		return err
	}
	nn.made = append(nn.made, ns)
	return nil
}

// close deletes the namespaces; their veths and the bridge go with them.
// The daemons must have been stopped first.
func (nn *netnsNet) close() error {
	var errs []error
	for i := len(nn.made) - 1; i >= 0; i-- {
		if err := ip("netns", "del", nn.made[i]); err != nil {
			errs = append(errs, err)
		}
	}
	nn.made = nil
	return errors.Join(errs...)
}

// sweepStaleNamespaces deletes namespaces left by bed processes that died
// without cleaning up (their PID no longer exists). Their daemons died with
// them (parent-death signal).
func sweepStaleNamespaces() {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		return
	}
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 || !strings.HasPrefix(f[0], netnsPrefix) {
			continue
		}
		pidStr, _, _ := strings.Cut(strings.TrimPrefix(f[0], netnsPrefix), "-")
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid == os.Getpid() {
			continue
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); errors.Is(err, os.ErrNotExist) {
			ip("netns", "del", f[0])
		}
	}
}

// ip runs the ip command.
func ip(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// addIPv6 gives host i (namespace ns, made by addHost) the IPv6 address
// fd00:198:18::<i+1>/64, a unique local address of the test range's
// digits. Duplicate address detection is turned off first, namespace-wide
// and on the veth, so that the link-local address the kernel made when
// the link came up and this one are usable at once: a tentative address
// cannot be bound or sent from. IPv6 needs no route for multicast: the
// kernel adds ff00::/8 on every interface.
func (nn *netnsNet) addIPv6(i int, ns string) (string, error) {
	addr := fmt.Sprintf("fd00:198:18::%x", i+1)
	// /proc/sys/net is the namespace's own in a process inside it; sh,
	// not sysctl, which a fresh machine may lack.
	dad := exec.Command("ip", "netns", "exec", ns, "sh", "-c", "for c in all default "+netnsIface+
		"; do echo 0 > /proc/sys/net/ipv6/conf/$c/accept_dad; done")
	if out, err := dad.CombinedOutput(); err != nil {
		return addr, fmt.Errorf("turning DAD off in %s: %v: %s", ns, err, strings.TrimSpace(string(out)))
	}
	if err := ip("-n", ns, "addr", "add", addr+"/64", "dev", netnsIface, "nodad"); err != nil {
		return addr, err
	}
	return addr, waitLinkLocal(ns)
}

// waitLinkLocal waits until the veth has a link-local address that is not
// tentative: one made before DAD was turned off still runs it (about a
// second).
func waitLinkLocal(ns string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := exec.Command("ip", "-n", ns, "-6", "addr", "show", "dev", netnsIface, "scope", "link").Output()
		if err != nil {
			return fmt.Errorf("ip -n %s -6 addr show: %w", ns, err)
		}
		if s := string(out); strings.Contains(s, "inet6 fe80:") && !strings.Contains(s, "tentative") {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: no usable link-local IPv6 address on %s after 10s: %s", ns, netnsIface, out)
		}
		time.Sleep(20 * time.Millisecond) // polling a kernel state with a deadline
	}
}
