package simulator

import (
	"context"
	"errors"
	"fmt"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// CreateVM records a stopped VM after checking that its ID is free, every
// disk's volume exists on its pool and every NIC's network is on this host
// (ErrNotFound otherwise). An injected failure strikes after the VM is
// written, and the VM is removed again.
func (h *host) CreateVM(ctx context.Context, spec hypervisors.VMSpec) (hypervisors.VMStatus, error) {
	if err := checkVMSpec(spec); err != nil {
		return hypervisors.VMStatus{}, err
	}
	vm := vmRecord{VMSpec: spec, Power: hypervisors.PowerStopped}
	err := h.doFailingLate(ctx, OpCreateVM, func(t hostTxn, failure func() error) error {
		if t.hasVM(spec.ID) {
			return fmt.Errorf("%w: VM %s exists on simulator host %s", hypervisors.ErrConflict, spec.ID, h.store.name)
		}
		if err := h.checkAttachments(t, spec); err != nil {
			return err
		}
		if err := t.saveVM(&vm); err != nil {
			return err
		}
		if err := failure(); err != nil {
			if _, rmErr := t.removeVM(spec.ID); rmErr != nil {
				return errors.Join(err, rmErr)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return hypervisors.VMStatus{}, err
	}
	return vm.status(), nil
}

func checkVMSpec(spec hypervisors.VMSpec) error {
	if err := checkName("VM ID", spec.ID); err != nil {
		return err
	}
	if err := hypervisors.CheckResources(spec.Resources); err != nil {
		return fmt.Errorf("VM %s: %w", spec.ID, err)
	}
	for _, d := range spec.Disks {
		if err := checkName("VM "+spec.ID+": volume ID", d.VolumeID); err != nil {
			return err
		}
		if err := checkName("VM "+spec.ID+": storage pool ID", d.Pool.ID); err != nil {
			return err
		}
	}
	for _, n := range spec.NICs {
		if err := checkName("VM "+spec.ID+": network ID", n.NetworkID); err != nil {
			return err
		}
	}
	return nil
}

// checkAttachments fails with ErrNotFound unless every disk's volume exists
// and every NIC's network is on the host.
func (h *host) checkAttachments(t hostTxn, spec hypervisors.VMSpec) error {
	for i, d := range spec.Disks {
		pool, err := h.store.pool(d.Pool.ID)
		if err != nil {
			return err
		}
		err = pool.update(func(t poolTxn) error {
			if !t.hasVolume(d.VolumeID) {
				return fmt.Errorf("VM %s: disk %d: %w", spec.ID, i, pool.volumeNotFound(d.VolumeID))
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for i, n := range spec.NICs {
		if !t.hasNetwork(n.NetworkID) {
			return fmt.Errorf("%w: VM %s: NIC %d: network %s is not on simulator host %s", hypervisors.ErrNotFound, spec.ID, i, n.NetworkID, h.store.name)
		}
	}
	return nil
}

// StartVM powers the VM on.
func (h *host) StartVM(ctx context.Context, id string) error {
	return h.changeVM(ctx, OpStartVM, id, func(vm *vmRecord) error {
		vm.Power = hypervisors.PowerRunning
		return nil
	})
}

// StopVM powers the VM off; a stopped or missing VM is not an error. A
// simulated guest shuts down at once, gracefully or not.
func (h *host) StopVM(ctx context.Context, id string, force bool) error {
	if err := checkName("VM ID", id); err != nil {
		return err
	}
	return h.do(ctx, OpStopVM, func(t hostTxn) error {
		vm, found, err := t.findVM(id)
		if err != nil || !found || vm.Power == hypervisors.PowerStopped {
			return err
		}
		vm.Power = hypervisors.PowerStopped
		return t.saveVM(&vm)
	})
}

// RebootVM restarts a running VM; ErrConflict when it is not running.
func (h *host) RebootVM(ctx context.Context, id string) error {
	return h.changeVM(ctx, OpRebootVM, id, func(vm *vmRecord) error {
		if vm.Power != hypervisors.PowerRunning {
			return fmt.Errorf("%w: VM %s on simulator host %s is %s, not running", hypervisors.ErrConflict, id, h.store.name, vm.Power)
		}
		return nil
	})
}

// ReconfigureVM sets CPU and memory; a running VM needs hot_resize.
func (h *host) ReconfigureVM(ctx context.Context, id string, r hypervisors.Resources) error {
	if err := hypervisors.CheckResources(r); err != nil {
		return fmt.Errorf("VM %s: %w", id, err)
	}
	return h.changeVM(ctx, OpReconfigureVM, id, func(vm *vmRecord) error {
		if vm.Power != hypervisors.PowerStopped && !h.cfg.hotResize {
			return fmt.Errorf("%w: VM %s on simulator host %s is %s and the host has no hot resize", hypervisors.ErrConflict, id, h.store.name, vm.Power)
		}
		vm.Resources = r
		return nil
	})
}

// DestroyVM removes the VM with its snapshots; a missing VM is not an error.
func (h *host) DestroyVM(ctx context.Context, id string) error {
	if err := checkName("VM ID", id); err != nil {
		return err
	}
	return h.do(ctx, OpDestroyVM, func(t hostTxn) error {
		_, err := t.removeVM(id)
		return err
	})
}

func (h *host) VMStatus(ctx context.Context, id string) (hypervisors.VMStatus, error) {
	vm, err := h.readVM(ctx, OpVMStatus, id)
	if err != nil {
		return hypervisors.VMStatus{}, err
	}
	return vm.status(), nil
}

// ListVMs lists the host's VMs ordered by ID.
func (h *host) ListVMs(ctx context.Context) ([]hypervisors.VMStatus, error) {
	var vms []vmRecord
	err := h.do(ctx, OpListVMs, func(t hostTxn) (err error) {
		vms, err = t.listVMs()
		return err
	})
	if err != nil {
		return nil, err
	}
	statuses := make([]hypervisors.VMStatus, len(vms))
	for i := range vms {
		statuses[i] = vms[i].status()
	}
	return statuses, nil
}

// readVM runs op reading VM id; ErrNotFound when it does not exist.
func (h *host) readVM(ctx context.Context, op Op, id string) (vmRecord, error) {
	if err := checkName("VM ID", id); err != nil {
		return vmRecord{}, err
	}
	var vm vmRecord
	err := h.do(ctx, op, func(t hostTxn) (err error) {
		vm, err = t.loadVM(id)
		return err
	})
	return vm, err
}

// changeVM runs op changing VM id and saves it when change succeeds;
// ErrNotFound when the VM does not exist.
func (h *host) changeVM(ctx context.Context, op Op, id string, change func(*vmRecord) error) error {
	if err := checkName("VM ID", id); err != nil {
		return err
	}
	return h.do(ctx, op, func(t hostTxn) error { return t.changeVM(id, change) })
}
