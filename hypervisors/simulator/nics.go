package simulator

import (
	"context"
	"fmt"
	"net"
	"slices"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// AttachNIC adds nic to the VM, running or not, after checking that the
// network is on the host (ErrNotFound) and that no NIC of the VM has the
// MAC (ErrConflict).
func (h *host) AttachNIC(ctx context.Context, vmID string, nic hypervisors.NIC) error {
	if err := checkName("VM ID", vmID); err != nil {
		return err
	}
	if err := checkName("VM "+vmID+": network ID", nic.NetworkID); err != nil {
		return err
	}
	mac, err := parseMAC(vmID, nic.MAC)
	if err != nil {
		return err
	}
	return h.do(ctx, OpAttachNIC, func(t hostTxn) error {
		return t.changeVM(vmID, func(vm *vmRecord) error {
			if vm.nicIndex(mac) >= 0 {
				return fmt.Errorf("%w: VM %s on simulator host %s has a NIC with MAC %s", hypervisors.ErrConflict, vmID, h.store.name, mac)
			}
			if !t.hasNetwork(nic.NetworkID) {
				return fmt.Errorf("%w: VM %s: network %s is not on simulator host %s", hypervisors.ErrNotFound, vmID, nic.NetworkID, h.store.name)
			}
			nic.MAC = mac
			vm.NICs = append(vm.NICs, nic)
			return nil
		})
	})
}

// DetachNIC removes the VM's NIC with the MAC, running or not; a NIC that
// is not there is not an error.
func (h *host) DetachNIC(ctx context.Context, vmID, mac string) error {
	if err := checkName("VM ID", vmID); err != nil {
		return err
	}
	normal, err := parseMAC(vmID, mac)
	if err != nil {
		return err
	}
	return h.do(ctx, OpDetachNIC, func(t hostTxn) error {
		vm, err := t.loadVM(vmID)
		if err != nil {
			return err
		}
		i := vm.nicIndex(normal)
		if i < 0 {
			return nil
		}
		vm.NICs = slices.Delete(vm.NICs, i, i+1)
		return t.saveVM(&vm)
	})
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

// nicIndex returns the position of the VM's NIC with MAC mac (canonical
// form), or -1.
func (r *vmRecord) nicIndex(mac string) int {
	return slices.IndexFunc(r.NICs, func(n hypervisors.NIC) bool {
		hw, err := net.ParseMAC(n.MAC)
		return err == nil && hw.String() == mac
	})
}
