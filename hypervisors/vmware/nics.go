package vmware

import (
	"context"
	"fmt"
	"net"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

var _ hypervisors.NICHotplugger = (*host)(nil)

// AttachNIC adds a vmxnet3 NIC with nic's MAC (set manually) on the
// network's portgroup to the VM, running or not, with one ReconfigVM task.
// A network not ensured on the host fails with ErrNotFound, a MAC one of
// the VM's NICs has with ErrConflict.
func (h *host) AttachNIC(ctx context.Context, vmID string, nic hypervisors.NIC) error {
	op := "AttachNIC " + vmID
	if err := h.begin(ctx, op); err != nil {
		return err
	}
	if err := hypervisors.CheckID("VM ID", vmID); err != nil {
		return err
	}
	if err := hypervisors.CheckID("network ID", nic.NetworkID); err != nil {
		return fmt.Errorf("VM %s: %w", vmID, err)
	}
	mac, err := parseMAC(vmID, nic.MAC)
	if err != nil {
		return err
	}
	vm, devices, err := h.vmDevices(ctx, vmID)
	if err != nil {
		return h.fail(ctx, op, err)
	}
	if nicByMAC(devices, mac) != nil {
		return h.fail(ctx, op, fmt.Errorf("%w: VM %s has a NIC with MAC %s", hypervisors.ErrConflict, vmName(vmID), mac))
	}
	pg, err := h.nicPortgroup(ctx, nic.NetworkID)
	switch {
	case err != nil:
		return h.fail(ctx, op, err)
	case pg == nil:
		return h.fail(ctx, op, fmt.Errorf("%w: network %s is not on host %s (no portgroup %s)", hypervisors.ErrNotFound, nic.NetworkID, h.inv.hostName, portgroupName(nic.NetworkID)))
	}
	card, err := devices.CreateEthernetCard("vmxnet3", pg.backing)
	if err != nil {
		return err
	}
	c := card.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard()
	c.Key = devices.NewKey()
	c.AddressType = string(types.VirtualEthernetCardMacTypeManual)
	c.MacAddress = mac
	_, err = h.runTask(ctx, func(ctx context.Context) (*object.Task, error) {
		return vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{DeviceChange: []types.BaseVirtualDeviceConfigSpec{add(card)}})
	})
	return h.failIf(ctx, op, err)
}

// DetachNIC removes the VM's NIC with the MAC, running or not, with one
// ReconfigVM task; a NIC that is not there is not an error.
func (h *host) DetachNIC(ctx context.Context, vmID, mac string) error {
	op := "DetachNIC " + vmID
	if err := h.begin(ctx, op); err != nil {
		return err
	}
	if err := hypervisors.CheckID("VM ID", vmID); err != nil {
		return err
	}
	normal, err := parseMAC(vmID, mac)
	if err != nil {
		return err
	}
	vm, devices, err := h.vmDevices(ctx, vmID)
	if err != nil {
		return h.fail(ctx, op, err)
	}
	card := nicByMAC(devices, normal)
	if card == nil {
		return nil
	}
	_, err = h.runTask(ctx, func(ctx context.Context) (*object.Task, error) {
		return vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{DeviceChange: []types.BaseVirtualDeviceConfigSpec{
			&types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationRemove, Device: card},
		}})
	})
	return h.failIf(ctx, op, err)
}

// vmDevices returns VM id and its devices; ErrNotFound when it does not
// exist.
func (h *host) vmDevices(ctx context.Context, id string) (*object.VirtualMachine, object.VirtualDeviceList, error) {
	vm, _, err := h.vm(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	devices, err := vm.Device(ctx)
	if isFault[*types.ManagedObjectNotFound](err) {
		return nil, nil, fmt.Errorf("%w: no VM %s: %w", hypervisors.ErrNotFound, vmName(id), err)
	}
	return vm, devices, err
}

// nicByMAC returns the ethernet card of devices with MAC mac (canonical
// form), or nil.
func nicByMAC(devices object.VirtualDeviceList, mac string) types.BaseVirtualDevice {
	for _, d := range devices.SelectByType((*types.VirtualEthernetCard)(nil)) {
		hw, err := net.ParseMAC(d.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard().MacAddress)
		if err == nil && hw.String() == mac {
			return d
		}
	}
	return nil
}

// parseMAC returns mac in canonical form (lower case, colons); ErrInvalid
// when it is not a 48-bit MAC address.
func parseMAC(vmID, mac string) (string, error) {
	hw, err := net.ParseMAC(mac)
	if err != nil || len(hw) != 6 {
		return "", fmt.Errorf("%w: VM %s: MAC address %q is not of the form 02:00:00:00:00:01", hypervisors.ErrInvalid, vmID, mac)
	}
	return hw.String(), nil
}
