package xenserver

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver/xenapi"
)

// vifs returns the VM's VIFs by reference.
func (h *host) vifs(ctx context.Context, rec xenapi.VMRecord) (map[xenapi.VIFRef]xenapi.VIFRecord, error) {
	vifs := map[xenapi.VIFRef]xenapi.VIFRecord{}
	for _, ref := range rec.VIFs {
		vif, err := h.c.VIF.GetRecord(ctx, ref)
		if xenapi.IsCode(err, xenapi.CodeHandleInvalid) {
			continue
		}
		if err != nil {
			return nil, err
		}
		vifs[ref] = vif
	}
	return vifs, nil
}

// AttachNIC adds a VIF with nic's MAC on nic's network to the VM, at the
// first free device number, and plugs it in when the VM runs. When the
// plug fails the VIF is destroyed again.
func (h *host) AttachNIC(ctx context.Context, vmID string, nic hypervisors.NIC) error {
	op := "AttachNIC " + vmID
	if err := checkNIC(nic); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	h.nicMu.Lock()
	defer h.nicMu.Unlock()
	vm, rec, err := h.vm(ctx, vmID)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	network, err := h.network(ctx, nic.NetworkID)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	vifs, err := h.vifs(ctx, rec)
	if err != nil {
		return wrap(op, err)
	}
	used := map[string]bool{}
	for _, vif := range vifs {
		if strings.EqualFold(vif.MAC, nic.MAC) {
			return fmt.Errorf("%w: %s: the VM has a NIC with MAC %s", hypervisors.ErrConflict, op, nic.MAC)
		}
		used[vif.Device] = true
	}
	device := 0
	for used[strconv.Itoa(device)] {
		device++
	}
	ref, err := h.c.VIF.Create(ctx, xenapi.VIFSpec{Device: strconv.Itoa(device), Network: network, VM: vm, MAC: nic.MAC, MTU: xenapi.Int(h.cfg.mtu)})
	if err != nil {
		return wrap(op, err)
	}
	if rec.PowerState != xenapi.PowerRunning {
		return nil
	}
	if err := h.c.VIF.Plug(ctx, ref); err != nil {
		cctx, cancel := cleanupContext()
		defer cancel()
		if undo := h.c.VIF.Destroy(cctx, ref); undo != nil {
			err = fmt.Errorf("%w (and destroying the VIF failed: %w)", err, undo)
		}
		return wrap(op, err)
	}
	return nil
}

// DetachNIC unplugs the VIF with MAC mac from the VM when it is plugged in
// and destroys it; it succeeds when the VM has no such NIC.
func (h *host) DetachNIC(ctx context.Context, vmID, mac string) error {
	op := "DetachNIC " + vmID
	_, rec, err := h.vm(ctx, vmID)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	vifs, err := h.vifs(ctx, rec)
	if err != nil {
		return wrap(op, err)
	}
	for ref, vif := range vifs {
		if !strings.EqualFold(vif.MAC, mac) {
			continue
		}
		if vif.CurrentlyAttached {
			if err := h.c.VIF.Unplug(ctx, ref); err != nil && !xenapi.IsCode(err, "DEVICE_ALREADY_DETACHED") {
				return wrap(op, err)
			}
		}
		if err := h.c.VIF.Destroy(ctx, ref); err != nil && !xenapi.IsCode(err, xenapi.CodeHandleInvalid) {
			return wrap(op, err)
		}
	}
	return nil
}
