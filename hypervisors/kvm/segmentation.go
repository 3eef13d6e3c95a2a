package kvm

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// segmentation keeps guest networks with different VLAN IDs apart beyond
// this host. On the host, every network has a bridge of its own (see
// bridgeName); a segmentation connects the bridge of a network with a VLAN ID
// to the same network on the other hosts. Nothing here assumes 802.1q
// devices: an uplink is whatever device carries one VLAN.
type segmentation interface {
	// plug connects bridge, the bridge of network n, to its VLAN beyond the
	// host. It is idempotent, and does nothing for an untagged network.
	plug(ctx context.Context, n hypervisors.NetworkSpec, bridge string) error
	// unplug removes what plug made for network n; it succeeds when there
	// is nothing to remove.
	unplug(ctx context.Context, n hypervisors.NetworkSpec) error
	// needsLocalHost reports whether plug changes this machine's devices,
	// which is only right when the libvirt host is this machine.
	needsLocalHost() bool
}

// bridgeName names the bridge of network n: one per VLAN ID ("ccv" and the
// ID), or for an untagged network one of its own ("ccn" and 12 hex digits
// of its UUID). Both fit the 15 characters Linux allows.
func bridgeName(n hypervisors.NetworkSpec) string {
	if n.VLAN > 0 {
		return "ccv" + strconv.Itoa(n.VLAN)
	}
	return "ccn" + strings.ReplaceAll(n.ID, "-", "")[:12]
}

// bridgeVLAN returns the VLAN ID a network bridge was named for by
// bridgeName (0 for an untagged network's bridge).
func bridgeVLAN(bridge string) int {
	digits, ok := strings.CutPrefix(bridge, "ccv")
	vlan, err := strconv.Atoi(digits)
	if !ok || err != nil {
		return 0
	}
	return vlan
}

// segmentation reads the VLAN parameters of a host URL:
//
//	vlan_mode=bridge    (default) a bridge per VLAN; vlan_uplink=<device pattern>
//	                    names an existing device per VLAN to enslave, with %d
//	                    for the VLAN ID (e.g. bond0.%d); without it the VLAN
//	                    stays on the host
//	vlan_mode=vxlan     a VXLAN device per VLAN (VNI = VLAN ID) enslaved to the
//	                    bridge: vxlan_group=<multicast address> with
//	                    vxlan_dev=<device>, or vxlan_remote=<address>;
//	                    vxlan_port (default 4789)
func (p *params) segmentation() segmentation {
	mode := p.oneOf("vlan_mode", "bridge", "bridge", "vxlan")
	uplink := p.device("vlan_uplink")
	group, remote := p.addr("vxlan_group"), p.addr("vxlan_remote")
	dev := p.device("vxlan_dev")
	port := p.port("vxlan_port", defaultVXLANPort)
	if mode == "bridge" {
		if group.IsValid() || remote.IsValid() || dev != "" {
			p.fail("vlan_mode", mode, "vxlan with vxlan_group, vxlan_remote or vxlan_dev")
		}
		if uplink != "" && strings.Count(uplink, "%d") != 1 {
			p.fail("vlan_uplink", uplink, "a device name pattern with one %d for the VLAN ID")
		}
		return bridgePerVLAN{uplink: uplink}
	}
	switch {
	case uplink != "":
		p.fail("vlan_uplink", uplink, "no uplink pattern with vlan_mode=vxlan")
	case group.IsValid() == remote.IsValid():
		p.fail("vlan_mode", mode, "exactly one of vxlan_group and vxlan_remote")
	case group.IsValid() && (!group.IsMulticast() || dev == ""):
		p.fail("vxlan_group", group.String(), "a multicast address, with vxlan_dev")
	}
	return vxlanSegments{group: group, remote: remote, dev: dev, port: port}
}

// bridgePerVLAN is the default segmentation: each VLAN has its own bridge,
// and when uplink is set the device it names for the VLAN (created by the
// operator, e.g. a VLAN device of a trunk) joins the bridge.
type bridgePerVLAN struct{ uplink string }

func (b bridgePerVLAN) plug(ctx context.Context, n hypervisors.NetworkSpec, bridge string) error {
	if b.uplink == "" || n.VLAN == 0 {
		return nil
	}
	return ipLink(ctx, "set", "dev", fmt.Sprintf(b.uplink, n.VLAN), "master", bridge, "up")
}

// unplug leaves the operator's uplink device alone: it leaves the bridge
// when libvirt deletes the bridge.
func (bridgePerVLAN) unplug(context.Context, hypervisors.NetworkSpec) error { return nil }

func (b bridgePerVLAN) needsLocalHost() bool { return b.uplink != "" }

// vxlanSegments carries each VLAN in a VXLAN device ("ccx" and the VNI)
// that the driver creates on the host and enslaves to the VLAN's bridge.
type vxlanSegments struct {
	group, remote netip.Addr
	dev           string
	port          int
}

func vxlanDevice(vlan int) string { return "ccx" + strconv.Itoa(vlan) }

func (v vxlanSegments) plug(ctx context.Context, n hypervisors.NetworkSpec, bridge string) error {
	if n.VLAN == 0 {
		return nil
	}
	dev := vxlanDevice(n.VLAN)
	if !linkExists(ctx, dev) {
		args := []string{"add", dev, "type", "vxlan", "id", strconv.Itoa(n.VLAN), "dstport", strconv.Itoa(v.port)}
		if v.group.IsValid() {
			args = append(args, "group", v.group.String())
		} else {
			args = append(args, "remote", v.remote.String())
		}
		if v.dev != "" {
			args = append(args, "dev", v.dev)
		}
		if err := ipLink(ctx, args...); err != nil && !linkExists(ctx, dev) {
			return err
		}
	}
	return ipLink(ctx, "set", "dev", dev, "master", bridge, "up")
}

func (v vxlanSegments) unplug(ctx context.Context, n hypervisors.NetworkSpec) error {
	if n.VLAN == 0 || !linkExists(ctx, vxlanDevice(n.VLAN)) {
		return nil
	}
	return ipLink(ctx, "delete", "dev", vxlanDevice(n.VLAN))
}

func (vxlanSegments) needsLocalHost() bool { return true }
