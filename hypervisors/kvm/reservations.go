package kvm

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// A VM's NICs get DHCP host reservations on their networks, so that
// libvirt's DHCP server hands each MAC exactly the address IPAM gave it.
// Each reservation is named cloudcore-<VM ID>-nic<n>, n the first number
// free on its network, so that the VM's reservations can be found (and
// removed) without its domain, which CreateVM defines last and whose NICs
// DetachNIC removes before their reservations.

// reservationName names reservation n of VM vmID.
func reservationName(vmID string, n int) string {
	return domainName(vmID) + "-nic" + strconv.Itoa(n)
}

// reservationOf reports whether host entry name is a reservation of VM vmID.
func reservationOf(name, vmID string) bool {
	return strings.HasPrefix(name, domainName(vmID)+"-nic")
}

// reserve and release read a network's reservations and then change them,
// under the host's dhcpMu.

// reserve adds a reservation of VM vmID for nic on net, first removing
// entries with the same MAC or address (left behind by a VM that is gone,
// or by a call cut short: IPAM hands out each address and MAC once). NICs
// without an IPv4 address inside the network's DHCP subnet get none.
func (h *host) reserve(net *libvirt.Network, vmID string, nic hypervisors.NIC) error {
	h.dhcpMu.Lock()
	defer h.dhcpMu.Unlock()
	def, err := networkDef(net)
	if err != nil {
		return err
	}
	dhcp := dhcpOf(def, nic.Address.Addr())
	if dhcp == nil {
		return nil
	}
	entry := libvirtxml.NetworkDHCPHost{MAC: strings.ToLower(nic.MAC), IP: nic.Address.Addr().String()}
	names := map[string]bool{}
	for _, old := range dhcp.Hosts {
		stale := strings.EqualFold(old.MAC, entry.MAC) || old.IP == entry.IP
		if !stale || old.Name == gatewayReservation {
			names[old.Name] = true
			continue
		}
		if err := updateHost(net, libvirt.NETWORK_UPDATE_COMMAND_DELETE, old); err != nil {
			return err
		}
	}
	for n := 0; entry.Name == ""; n++ {
		if name := reservationName(vmID, n); !names[name] {
			entry.Name = name
		}
	}
	return updateHost(net, libvirt.NETWORK_UPDATE_COMMAND_ADD_LAST, entry)
}

// release removes the reservations of VM vmID from every network of the
// driver: all of them, or only that of MAC mac when mac is not "".
func (h *host) release(c *libvirt.Connect, vmID, mac string) error {
	h.dhcpMu.Lock()
	defer h.dhcpMu.Unlock()
	nets, err := c.ListAllNetworks(0)
	if err != nil {
		return wrap("listing networks", err)
	}
	defer freeAll(nets)
	for i := range nets {
		name, err := nets[i].GetName()
		if _, ours := idFrom(name, networkPrefix, ""); err != nil || !ours {
			continue
		}
		def, err := networkDef(&nets[i])
		if errors.Is(err, hypervisors.ErrNotFound) {
			continue // removed meanwhile
		}
		if err != nil {
			return err
		}
		for _, ip := range def.IPs {
			if ip.DHCP == nil {
				continue
			}
			for _, h := range ip.DHCP.Hosts {
				if reservationOf(h.Name, vmID) && (mac == "" || strings.EqualFold(h.MAC, mac)) {
					if err := updateHost(&nets[i], libvirt.NETWORK_UPDATE_COMMAND_DELETE, h); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// networkDef reads net's definition (reservations change in its live and
// persistent definitions alike).
func networkDef(net *libvirt.Network) (*libvirtxml.Network, error) {
	doc, err := net.GetXMLDesc(0)
	if err != nil {
		return nil, wrap("reading a network's definition", err)
	}
	def := &libvirtxml.Network{}
	return def, def.Unmarshal(doc)
}

// dhcpOf returns the DHCP section of def's IPv4 subnet holding addr, or
// nil when def serves no DHCP there.
func dhcpOf(def *libvirtxml.Network, addr netip.Addr) *libvirtxml.NetworkDHCP {
	if !addr.Is4() {
		return nil
	}
	for i := range def.IPs {
		ip := &def.IPs[i]
		gw, err := netip.ParseAddr(ip.Address)
		if err != nil || !gw.Is4() || ip.Prefix == 0 {
			continue
		}
		if subnet, err := gw.Prefix(int(ip.Prefix)); err == nil && subnet.Contains(addr) {
			return ip.DHCP
		}
	}
	return nil
}

// updateHost adds or deletes a DHCP host entry of net, in its persistent
// definition and, when it runs, in its live state.
func updateHost(net *libvirt.Network, cmd libvirt.NetworkUpdateCommand, entry libvirtxml.NetworkDHCPHost) error {
	doc, err := entry.Marshal()
	if err != nil {
		return err
	}
	flags := libvirt.NETWORK_UPDATE_AFFECT_CONFIG
	if active, err := net.IsActive(); err != nil {
		return wrap("updating DHCP reservations", err)
	} else if active {
		flags |= libvirt.NETWORK_UPDATE_AFFECT_LIVE
	}
	if err := net.Update(cmd, libvirt.NETWORK_SECTION_IP_DHCP_HOST, -1, doc, flags); err != nil {
		return wrap(fmt.Sprintf("updating DHCP reservation %s (%s %s)", entry.Name, entry.MAC, entry.IP), err)
	}
	return nil
}
