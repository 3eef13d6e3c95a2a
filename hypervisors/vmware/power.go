package vmware

import (
	"context"
	"fmt"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// StartVM powers the VM on; a running VM is not an error.
func (h *host) StartVM(ctx context.Context, id string) error {
	op := "StartVM " + id
	vm, err := h.existingVM(ctx, op, id)
	if err != nil {
		return err
	}
	return h.failIf(ctx, op, h.powerOn(ctx, vm))
}

// StopVM powers the VM off: when forced, or when VMware Tools do not run
// in the guest, at once; otherwise it asks the guest to shut down and
// waits, as long as ctx allows, for the VM to be off. A stopped or missing
// VM is not an error.
func (h *host) StopVM(ctx context.Context, id string, force bool) error {
	op := "StopVM " + id
	if err := h.begin(ctx, op); err != nil {
		return err
	}
	if err := hypervisors.CheckID("VM ID", id); err != nil {
		return err
	}
	vm, err := h.findVM(ctx, id)
	if err != nil || vm == nil {
		return h.failIf(ctx, op, err)
	}
	if force {
		return h.failIf(ctx, op, ignoreGone(h.powerOff(ctx, vm)))
	}
	var o mo.VirtualMachine
	if err := h.s.retrieveOne(ctx, vm.Reference(), []string{propPower, "guest.toolsRunningStatus"}, &o); err != nil {
		return h.failIf(ctx, op, ignoreGone(err))
	}
	switch {
	case o.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOff:
		return nil
	case o.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn && o.Guest != nil &&
		o.Guest.ToolsRunningStatus == string(types.VirtualMachineToolsRunningStatusGuestToolsRunning):
		err = h.shutdownGuest(ctx, vm)
	default:
		err = h.powerOff(ctx, vm)
	}
	return h.failIf(ctx, op, ignoreGone(err))
}

// RebootVM resets the VM; one that is not running fails with ErrConflict.
func (h *host) RebootVM(ctx context.Context, id string) error {
	op := "RebootVM " + id
	vm, err := h.existingVM(ctx, op, id)
	if err != nil {
		return err
	}
	_, err = h.runTask(ctx, vm.Reset)
	if isFault[*types.InvalidPowerState](err) {
		err = fmt.Errorf("%w: the VM is not running: %w", hypervisors.ErrConflict, err)
	}
	return h.failIf(ctx, op, err)
}

// existingVM begins op on VM id and finds it; ErrNotFound when there is
// none.
func (h *host) existingVM(ctx context.Context, op, id string) (*object.VirtualMachine, error) {
	if err := h.begin(ctx, op); err != nil {
		return nil, err
	}
	if err := hypervisors.CheckID("VM ID", id); err != nil {
		return nil, err
	}
	vm, err := h.findVM(ctx, id)
	switch {
	case err != nil:
		return nil, h.fail(ctx, op, err)
	case vm == nil:
		return nil, h.fail(ctx, op, fmt.Errorf("%w: no VM %s", hypervisors.ErrNotFound, vmName(id)))
	}
	return vm, nil
}

// powerOn powers vm on; a running VM is not an error.
func (h *host) powerOn(ctx context.Context, vm *object.VirtualMachine) error {
	_, err := h.runTask(ctx, vm.PowerOn)
	if inPowerState(err, types.VirtualMachinePowerStatePoweredOn) {
		return nil
	}
	return err
}

// powerOff powers vm off; a stopped VM is not an error.
func (h *host) powerOff(ctx context.Context, vm *object.VirtualMachine) error {
	_, err := h.runTask(ctx, vm.PowerOff)
	if inPowerState(err, types.VirtualMachinePowerStatePoweredOff) {
		return nil
	}
	return err
}

// shutdownGuest asks the guest to shut down and waits for vm to be off.
func (h *host) shutdownGuest(ctx context.Context, vm *object.VirtualMachine) error {
	if err := vm.ShutdownGuest(ctx); err != nil {
		if inPowerState(err, types.VirtualMachinePowerStatePoweredOff) {
			return nil
		}
		return err
	}
	return h.s.retry(ctx, func() error {
		return property.Wait(ctx, property.DefaultCollector(h.s.vim), vm.Reference(), []string{propPower}, func(changes []types.PropertyChange) bool {
			for _, c := range changes {
				if c.Val == types.VirtualMachinePowerStatePoweredOff {
					return true
				}
			}
			return false
		})
	})
}

// inPowerState reports whether err is an InvalidPowerState fault because
// the VM is in state already.
func inPowerState(err error, state types.VirtualMachinePowerState) bool {
	f, ok := faultOf[*types.InvalidPowerState](err)
	return ok && f.ExistingState == state
}
