package bed

import (
	"fmt"
	"os/exec"
	"strings"
)

// Routed netns mode (Options.Subnets > 1): subnet s is 198.18.s.0/24 on
// bridge brS of the bridge namespace; the router namespace (NAME-rt) has
// one leg rS on each bridge, address 198.18.s.254, and forwards IPv4
// between them (ip_forward=1). It runs no multicast routing, so the
// kernel forwards no multicast: a group stays on its subnet, as between
// two LANs joined by an ordinary router. Host i is on subnet i%Subnets,
// address 198.18.s.(1+i/Subnets), default route via its router leg.

// RoutedAddr is host i's address in routed netns mode.
func RoutedAddr(i, subnets int) string {
	return fmt.Sprintf("198.18.%d.%d", i%subnets, 1+i/subnets)
}

func routerAddr(subnet int) string { return fmt.Sprintf("198.18.%d.254", subnet) }

// route adds the second (and further) bridges and the router namespace.
func (nn *netnsNet) route(subnets int) error {
	if subnets > 250 {
		return fmt.Errorf("bed: %d subnets, at most 250", subnets)
	}
	nn.subnets = subnets
	rt := nn.base + "-rt"
	if err := nn.add(rt); err != nil {
		return err
	}
	r := func(args ...string) error { return ip(append([]string{"-n", rt}, args...)...) }
	for s := range subnets {
		br, leg := fmt.Sprintf("br%d", s), fmt.Sprintf("r%d", s)
		steps := []func() error{}
		if s > 0 { // br0 exists
			steps = append(steps,
				func() error { return nn.br("link", "add", br, "type", "bridge", "mcast_snooping", "0") },
				func() error { return nn.br("link", "set", br, "up") })
		}
		steps = append(steps,
			func() error { return nn.br("link", "add", "rt"+leg, "type", "veth", "peer", "name", leg, "netns", rt) },
			func() error { return nn.br("link", "set", "rt"+leg, "master", br) },
			func() error { return nn.br("link", "set", "rt"+leg, "up") },
			func() error { return r("addr", "add", routerAddr(s)+"/24", "dev", leg) },
			func() error { return r("link", "set", leg, "up") })
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
	}
	if err := r("link", "set", "lo", "up"); err != nil {
		return err
	}
	// /proc/sys/net is the namespace's own under ip netns exec; sh, not
	// sysctl, so that CI needs no procps.
	out, err := exec.Command("ip", "netns", "exec", rt, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward").CombinedOutput()
	if err != nil {
		return fmt.Errorf("router ip_forward: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}
