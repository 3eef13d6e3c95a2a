package simulator

import (
	"context"
	"fmt"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// EnsureNetwork records the network on the host, replacing an earlier spec
// of the same ID.
func (h *host) EnsureNetwork(ctx context.Context, n hypervisors.NetworkSpec) error {
	if err := checkName("network ID", n.ID); err != nil {
		return err
	}
	if n.VLAN < 0 || n.VLAN > 4094 {
		return fmt.Errorf("%w: network %s: VLAN %d is outside 0..4094", hypervisors.ErrInvalid, n.ID, n.VLAN)
	}
	return h.do(ctx, OpEnsureNetwork, func(t hostTxn) error { return t.saveNetwork(n) })
}

// RemoveNetwork removes the network unless a VM of the host has a NIC on it.
func (h *host) RemoveNetwork(ctx context.Context, networkID string) error {
	if err := checkName("network ID", networkID); err != nil {
		return err
	}
	return h.do(ctx, OpRemoveNetwork, func(t hostTxn) error {
		vms, err := t.listVMs()
		if err != nil {
			return err
		}
		for _, vm := range vms {
			if vm.usesNetwork(networkID) {
				return fmt.Errorf("%w: network %s on simulator host %s is in use by VM %s", hypervisors.ErrConflict, networkID, h.store.name, vm.ID)
			}
		}
		return t.removeNetwork(networkID)
	})
}
