package kvm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"libvirt.org/go/libvirt"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

var _ hypervisors.NICHotplugger = (*host)(nil)

// AttachNIC adds a virtio NIC with nic's MAC on nic's network to the VM:
// to its definition and, when it runs, to the running guest (PCI
// hot-plug), after a DHCP reservation that hands the NIC its IPAM address
// (see reserve). When libvirt refuses the NIC the reservation is removed
// again; one left by a process that died in between is removed by
// DetachNIC or DestroyVM, or replaced when IPAM hands out its MAC or
// address again.
func (h *host) AttachNIC(ctx context.Context, vmID string, nic hypervisors.NIC) error {
	op := "AttachNIC " + vmID
	if err := hypervisors.CheckID("VM ID", vmID); err != nil {
		return err
	}
	if err := checkNIC(nic); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return h.do(ctx, op, func(c *libvirt.Connect) error {
		dom, err := lookupVM(c, vmID)
		if err != nil {
			return err
		}
		defer free(dom)
		active, err := dom.IsActive()
		if err != nil {
			return wrap(op, err)
		}
		views := []libvirt.DomainXMLFlags{libvirt.DOMAIN_XML_INACTIVE}
		if active {
			views = append(views, 0) // the running guest may differ
		}
		for _, flags := range views {
			def, err := definitionOf(dom, flags)
			if err != nil {
				return fmt.Errorf("%s: %w", op, err)
			}
			if _, dup := def.nicWithMAC(nic.MAC); dup {
				return fmt.Errorf("%w: %s: the VM has a NIC with MAC %s", hypervisors.ErrConflict, op, nic.MAC)
			}
		}
		net, err := runningNetwork(c, nic.NetworkID)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		defer free(net)
		if err := h.reserve(net, vmID, nic); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		dev := virtioNIC(nic)
		doc, err := dev.Marshal()
		if err != nil {
			return err
		}
		flags := libvirt.DOMAIN_DEVICE_MODIFY_CONFIG
		if active {
			flags |= libvirt.DOMAIN_DEVICE_MODIFY_LIVE
		}
		err = h.step(stepNICReserved)
		if err == nil {
			err = wrap(op, dom.AttachDeviceFlags(doc, flags))
		}
		if err != nil {
			if undo := h.release(c, vmID, nic.MAC); undo != nil {
				err = fmt.Errorf("%w (and removing its DHCP reservation failed: %w)", err, undo)
			}
			return err
		}
		return nil
	})
}

// DetachNIC removes the NIC with MAC mac from the VM, then its DHCP
// reservation. A stopped VM loses it from its definition at once. A
// running guest must release the device first (ACPI PCI hot-unplug):
// DetachNIC asks it to, again every few seconds (libvirt's own wait),
// since a guest that is still booting loses the request, and gives it the
// host's nic_detach_timeout. A guest without an operating system that
// handles the request never releases it: when the time is up the VM keeps
// the NIC, in its definition too, and DetachNIC fails with ErrConflict;
// stop the VM, or call DetachNIC again once the guest runs.
func (h *host) DetachNIC(ctx context.Context, vmID, mac string) error {
	op := "DetachNIC " + vmID
	if err := hypervisors.CheckID("VM ID", vmID); err != nil {
		return err
	}
	if err := hypervisors.CheckMAC(mac); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return h.do(ctx, op, func(c *libvirt.Connect) error {
		dom, err := lookupVM(c, vmID)
		if err != nil {
			return err
		}
		defer free(dom)
		if err := unplug(ctx, dom, mac, h.cfg.detachTimeout); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		def, err := definitionOf(dom, libvirt.DOMAIN_XML_INACTIVE)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		if nic, ok := def.nicWithMAC(mac); ok {
			doc, err := nic.Marshal()
			if err != nil {
				return err
			}
			if err := dom.DetachDeviceFlags(doc, libvirt.DOMAIN_DEVICE_MODIFY_CONFIG); err != nil {
				return wrap(op, err)
			}
		}
		if err := h.release(c, vmID, mac); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		return nil
	})
}

// unplugEvery is the shortest time between two requests of unplug: libvirt
// itself waits a few seconds for the guest, but one that refuses at once
// must not make unplug spin.
const unplugEvery = time.Second

// unplug removes the NIC with MAC mac from dom while the domain runs,
// asking the guest to release it until it has or timeout has passed. It
// returns at once when the domain is off or has no such NIC.
func unplug(ctx context.Context, dom *libvirt.Domain, mac string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var asked time.Time
	for {
		active, err := dom.IsActive()
		if err != nil || !active {
			return wrap("reading the power state", err)
		}
		def, err := definitionOf(dom, 0)
		if err != nil {
			return err
		}
		nic, ok := def.nicWithMAC(mac)
		switch {
		case !ok:
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("%w: the guest did not release NIC %s within %s; it needs an operating system that handles PCI hot-unplug (stop the VM to detach the NIC at once)", hypervisors.ErrConflict, mac, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Until(asked.Add(unplugEvery))):
		}
		doc, err := nic.Marshal()
		if err != nil {
			return err
		}
		asked = time.Now()
		// libvirt waits a few seconds for the guest to let the device go
		// and returns either way; a domain that stopped meanwhile is done.
		if err := dom.DetachDeviceFlags(doc, libvirt.DOMAIN_DEVICE_MODIFY_LIVE); err != nil && !errors.Is(err, libvirt.ERR_OPERATION_INVALID) {
			return wrap("asking the guest to release NIC "+mac, err)
		}
	}
}
