package kvm

import (
	"context"
	"errors"
	"fmt"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// maxVLAN is the largest VLAN ID.
const maxVLAN = 4094

// gatewayReservation names the DHCP host entry a network keeps for its
// gateway address and the bridge's MAC. It is never handed out (the bridge
// asks for no address), but it keeps libvirt's DHCP server running while
// no VM has a reservation: libvirt stops the server with the last entry
// and restarts it with the next, which costs seconds.
const gatewayReservation = "cloudcore-gateway"

// bridgeMAC is the MAC of network n's bridge: QEMU's prefix 52:54:00 (the
// engine gives guests 02:...) and three bytes of the network's UUID.
func bridgeMAC(n hypervisors.NetworkSpec) string {
	return "52:54:00:" + n.ID[0:2] + ":" + n.ID[2:4] + ":" + n.ID[4:6]
}

// networkDefinition describes the libvirt network of n: isolated (no
// forwarding), on its own bridge (see bridgeName), with DNS off. When n
// has a gateway inside its CIDR the host holds that address on the bridge
// and, for IPv4, runs libvirt's DHCP server (dnsmasq) with no dynamic
// range: it answers only the MACs reserved for VMs (see reserve).
func networkDefinition(n hypervisors.NetworkSpec) *libvirtxml.Network {
	def := &libvirtxml.Network{
		Name:   networkName(n.ID),
		UUID:   n.ID,
		Bridge: &libvirtxml.NetworkBridge{Name: bridgeName(n), STP: "on", Delay: "0"},
		DNS:    &libvirtxml.NetworkDNS{Enable: "no"},
	}
	if n.CIDR.IsValid() && n.Gateway.IsValid() && n.CIDR.Contains(n.Gateway) {
		ip := libvirtxml.NetworkIP{Address: n.Gateway.String(), Prefix: uint(n.CIDR.Bits())}
		if n.Gateway.Is4() {
			def.MAC = &libvirtxml.NetworkMAC{Address: bridgeMAC(n)}
			ip.DHCP = &libvirtxml.NetworkDHCP{Hosts: []libvirtxml.NetworkDHCPHost{
				{MAC: bridgeMAC(n), Name: gatewayReservation, IP: n.Gateway.String()},
			}}
		} else {
			ip.Family = "ipv6"
		}
		def.IPs = []libvirtxml.NetworkIP{ip}
	}
	return def
}

// EnsureNetwork defines, starts (with autostart) and plugs network n into
// its VLAN (see segmentation), each step only when it is not done yet. On a
// host that is this machine it drops the host's route to the network's
// subnet (see unrouteSubnet), so networks may share a CIDR; on a remote
// host libvirt refuses to start a network whose subnet another one holds.
func (h *host) EnsureNetwork(ctx context.Context, n hypervisors.NetworkSpec) error {
	op := "EnsureNetwork " + n.ID
	if err := hypervisors.CheckID("network ID", n.ID); err != nil {
		return err
	}
	if n.VLAN < 0 || n.VLAN > maxVLAN {
		return fmt.Errorf("%w: %s: VLAN %d is not in 0..%d", hypervisors.ErrInvalid, op, n.VLAN, maxVLAN)
	}
	return h.do(ctx, op, func(c *libvirt.Connect) error {
		def := networkDefinition(n)
		net, err := c.LookupNetworkByName(def.Name)
		if errors.Is(err, libvirt.ERR_NO_NETWORK) {
			var doc string
			if doc, err = def.Marshal(); err != nil {
				return err
			}
			if net, err = c.NetworkDefineXML(doc); err == nil {
				err = net.SetAutostart(true)
			}
		}
		if net != nil {
			defer free(net)
		}
		if err != nil {
			return wrap(op, err)
		}
		active, err := net.IsActive()
		if err == nil && !active {
			if err = net.Create(); errors.Is(err, libvirt.ERR_OPERATION_INVALID) {
				err = nil // started by another call meanwhile
			}
		}
		if err != nil {
			return wrap(op+": starting the network", err)
		}
		bridge, err := net.GetBridgeName()
		if err != nil {
			return wrap(op, err)
		}
		if h.cfg.local && len(def.IPs) > 0 {
			if err := unrouteSubnet(ctx, n.CIDR, bridge); err != nil {
				return fmt.Errorf("%s: %w", op, err)
			}
		}
		if err := h.cfg.segments.plug(ctx, n, bridge); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		return nil
	})
}

// RemoveNetwork stops and undefines network networkID and unplugs it from
// its VLAN. It fails with ErrConflict while a VM of the driver (running or
// not) has a NIC on it.
func (h *host) RemoveNetwork(ctx context.Context, networkID string) error {
	op := "RemoveNetwork " + networkID
	if err := hypervisors.CheckID("network ID", networkID); err != nil {
		return err
	}
	return h.do(ctx, op, func(c *libvirt.Connect) error {
		net, err := c.LookupNetworkByName(networkName(networkID))
		if errors.Is(err, libvirt.ERR_NO_NETWORK) {
			return nil
		}
		if err != nil {
			return wrap(op, err)
		}
		defer free(net)
		users, err := networkUsers(c, networkID)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		if len(users) > 0 {
			return fmt.Errorf("%w: %s: VMs %v have NICs on it", hypervisors.ErrConflict, op, users)
		}
		bridge, err := net.GetBridgeName()
		if err != nil {
			return wrap(op, err)
		}
		if err := net.Destroy(); err != nil && !errors.Is(err, libvirt.ERR_OPERATION_INVALID) {
			return wrap(op, err)
		}
		if err := net.Undefine(); err != nil && !errors.Is(err, libvirt.ERR_NO_NETWORK) {
			return wrap(op, err)
		}
		return h.cfg.segments.unplug(ctx, hypervisors.NetworkSpec{ID: networkID, VLAN: bridgeVLAN(bridge)})
	})
}

// networkUsers lists the driver's VMs with a NIC on network networkID.
func networkUsers(c *libvirt.Connect, networkID string) ([]string, error) {
	doms, err := c.ListAllDomains(0)
	if err != nil {
		return nil, wrap("listing domains", err)
	}
	defer freeAll(doms)
	var users []string
	for i := range doms {
		def, err := definitionOf(&doms[i], libvirt.DOMAIN_XML_INACTIVE)
		if errors.Is(err, hypervisors.ErrNotFound) || err == nil && def.vmID() == "" {
			continue // gone meanwhile, or not ours
		}
		if err != nil {
			return nil, err
		}
		for _, nic := range def.nics() {
			if nic.networkID == networkID {
				users = append(users, def.vmID())
				break
			}
		}
	}
	return users, nil
}
