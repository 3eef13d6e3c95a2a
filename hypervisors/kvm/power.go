package kvm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// stopPoll is how often a graceful StopVM looks whether the guest is off.
const stopPoll = 50 * time.Millisecond

// StartVM starts the domain; it succeeds when it runs already.
func (h *host) StartVM(ctx context.Context, id string) error {
	op := "StartVM " + id
	return h.do(ctx, op, func(c *libvirt.Connect) error {
		dom, err := lookupVM(c, id)
		if err != nil {
			return err
		}
		defer free(dom)
		if active, err := dom.IsActive(); err != nil || active {
			return wrap(op, err)
		}
		if err := dom.Create(); err != nil && !errors.Is(err, libvirt.ERR_OPERATION_INVALID) {
			return wrap(op, err)
		}
		return nil
	})
}

// StopVM powers the domain off at once when force is set. Otherwise it
// presses the ACPI power button and waits up to the host's stop_timeout
// for the guest to power itself off; a guest still running then is
// powered off when the host URL says stop_fallback=destroy, and left
// running with an error wrapping ErrConflict otherwise (the default). It
// succeeds when the VM is off or does not exist.
func (h *host) StopVM(ctx context.Context, id string, force bool) error {
	op := "StopVM " + id
	return h.do(ctx, op, func(c *libvirt.Connect) error {
		dom, err := lookupVM(c, id)
		if errors.Is(err, hypervisors.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		defer free(dom)
		if !force {
			off, err := shutdown(ctx, dom, h.cfg.stopTimeout)
			switch {
			case err != nil:
				return fmt.Errorf("%s: %w", op, err)
			case off:
				return nil
			case h.cfg.stopFallback != stopFallbackDestroy:
				return fmt.Errorf("%w: %s: the guest did not power off within %s of the ACPI power button; stop it with force", hypervisors.ErrConflict, op, h.cfg.stopTimeout)
			}
		}
		if err := dom.Destroy(); err != nil && !errors.Is(err, libvirt.ERR_OPERATION_INVALID) {
			return wrap(op, err)
		}
		return nil
	})
}

// shutdown presses dom's ACPI power button and reports whether the domain
// is off within timeout. It returns at once when the domain is off
// already, and with ctx's error when ctx is done first.
func shutdown(ctx context.Context, dom *libvirt.Domain, timeout time.Duration) (bool, error) {
	if active, err := dom.IsActive(); err != nil || !active {
		return err == nil, wrap("reading the power state", err)
	}
	if err := dom.ShutdownFlags(libvirt.DOMAIN_SHUTDOWN_ACPI_POWER_BTN); err != nil {
		if errors.Is(err, libvirt.ERR_OPERATION_INVALID) {
			return true, nil // it went off meanwhile
		}
		return false, wrap("pressing the ACPI power button", err)
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(stopPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-deadline.C:
			return false, nil
		case <-tick.C:
			if active, err := dom.IsActive(); err != nil || !active {
				return err == nil, wrap("reading the power state", err)
			}
		}
	}
}

// RebootVM asks the guest to reboot (through its agent or the ACPI, as
// libvirt chooses); ErrConflict when the VM is not running.
func (h *host) RebootVM(ctx context.Context, id string) error {
	op := "RebootVM " + id
	return h.do(ctx, op, func(c *libvirt.Connect) error {
		dom, err := lookupVM(c, id)
		if err != nil {
			return err
		}
		defer free(dom)
		state, _, err := dom.GetState()
		if err != nil {
			return wrap(op, err)
		}
		if powerState(state) != hypervisors.PowerRunning {
			return fmt.Errorf("%w: %s: the VM is %s", hypervisors.ErrConflict, op, powerState(state))
		}
		return wrap(op, dom.Reboot(0))
	})
}

// ReconfigureVM sets the CPUs and memory of a stopped VM by redefining its
// domain. The host has no hot resize: a running VM whose resources differ
// from r fails with ErrConflict.
func (h *host) ReconfigureVM(ctx context.Context, id string, r hypervisors.Resources) error {
	op := "ReconfigureVM " + id
	if err := hypervisors.CheckResources(r); err != nil {
		return err
	}
	return h.do(ctx, op, func(c *libvirt.Connect) error {
		dom, err := lookupVM(c, id)
		if err != nil {
			return err
		}
		defer free(dom)
		active, err := dom.IsActive()
		if err != nil {
			return wrap(op, err)
		}
		if active {
			st, err := vmStatus(dom, id)
			if err == nil && st.Resources != r {
				err = fmt.Errorf("%w: %s: the VM runs, and this host cannot resize running VMs; stop it first", hypervisors.ErrConflict, op)
			}
			return err
		}
		def, err := definitionOf(dom, libvirt.DOMAIN_XML_INACTIVE)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		def.VCPU = &libvirtxml.DomainVCPU{Placement: "static", Value: uint(r.CPUs)}
		def.Memory = &libvirtxml.DomainMemory{Value: uint(r.MemoryMiB), Unit: "MiB"}
		def.CurrentMemory = &libvirtxml.DomainCurrentMemory{Value: uint(r.MemoryMiB), Unit: "MiB"}
		doc, err := def.Marshal()
		if err != nil {
			return err
		}
		redefined, err := c.DomainDefineXML(doc)
		if err != nil {
			return wrap(op, err)
		}
		return redefined.Free()
	})
}
