package kvm

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os/exec"
	"strings"
)

// The driver changes the network devices and routes of a host that is this
// machine with ip(8): libvirt has no API for them.

// linkExists reports whether network device name exists on this machine.
func linkExists(ctx context.Context, name string) bool {
	return exec.CommandContext(ctx, "ip", "link", "show", "dev", name).Run() == nil
}

// ipLink runs `ip link args...` on this machine.
func ipLink(ctx context.Context, args ...string) error {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "ip", append([]string{"link"}, args...)...) //nolint:gosec // G204: device names from the host URL and the driver's own naming, no shell
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("ip link %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// unrouteSubnet removes this machine's route to subnet through bridge,
// when there is one. The machine keeps its address on the bridge (libvirt's
// DHCP server answers from it) but routes nothing there: guest networks
// are isolated, and libvirt refuses to start a network whose subnet the
// machine routes through another device, so with the route gone several
// networks can share a CIDR.
func unrouteSubnet(ctx context.Context, subnet netip.Prefix, bridge string) error {
	args := []string{"route", "del", subnet.Masked().String(), "dev", bridge}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "ip", args...) //nolint:gosec // G204: a parsed prefix and the driver's bridge name, no shell
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		out, showErr := exec.CommandContext(ctx, "ip", "route", "show", subnet.Masked().String(), "dev", bridge).Output() //nolint:gosec // G204: as above
		if showErr == nil && len(bytes.TrimSpace(out)) == 0 {
			return nil // there was none
		}
		return fmt.Errorf("ip %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return nil
}
