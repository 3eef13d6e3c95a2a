package xenserver

import (
	"context"
	"fmt"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver/xenapi"
)

// StartVM starts the VM on this member (VM.start_on), unpauses or resumes
// it; it succeeds when the VM runs already.
func (h *host) StartVM(ctx context.Context, id string) error {
	op := "StartVM " + id
	ref, rec, err := h.vm(ctx, id)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	switch rec.PowerState {
	case xenapi.PowerRunning:
		return nil
	case xenapi.PowerPaused:
		err = h.c.VM.Unpause(ctx, ref)
	case xenapi.PowerSuspended:
		err = h.c.VM.Resume(ctx, ref, false, false)
	default:
		err = h.c.VM.StartOn(ctx, ref, h.ref, false, false)
	}
	return wrap(op, err)
}

// StopVM shuts the VM down: VM.clean_shutdown, which asks the guest, or
// with force (and for a paused or suspended VM) VM.hard_shutdown. It
// succeeds when the VM is halted or does not exist.
func (h *host) StopVM(ctx context.Context, id string, force bool) error {
	op := "StopVM " + id
	ref, rec, err := h.vm(ctx, id)
	switch {
	case isNotFound(err):
		return nil
	case err != nil:
		return fmt.Errorf("%s: %w", op, err)
	case rec.PowerState == xenapi.PowerHalted:
		return nil
	case force || rec.PowerState != xenapi.PowerRunning:
		err = h.c.VM.HardShutdown(ctx, ref)
	default:
		err = h.c.VM.CleanShutdown(ctx, ref)
	}
	return wrap(op, err)
}

// RebootVM reboots the running VM (VM.clean_reboot); ErrConflict when it
// does not run.
func (h *host) RebootVM(ctx context.Context, id string) error {
	op := "RebootVM " + id
	ref, rec, err := h.vm(ctx, id)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if rec.PowerState != xenapi.PowerRunning {
		return fmt.Errorf("%w: %s: the VM is %s, not running", hypervisors.ErrConflict, op, rec.PowerState)
	}
	return wrap(op, h.c.VM.CleanReboot(ctx, ref))
}

// ReconfigureVM sets the halted VM's CPUs and memory (see setResources);
// ErrConflict while it is not halted (no hot resize).
func (h *host) ReconfigureVM(ctx context.Context, id string, r hypervisors.Resources) error {
	op := "ReconfigureVM " + id
	if err := hypervisors.CheckResources(r); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	ref, rec, err := h.vm(ctx, id)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if rec.PowerState != xenapi.PowerHalted {
		return fmt.Errorf("%w: %s: the VM is %s; stop it first (no hot resize)", hypervisors.ErrConflict, op, rec.PowerState)
	}
	return wrap(op, h.setResources(ctx, ref, rec, r))
}
