package xenserver

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver/xenapi"
)

// maxVLAN is the largest VLAN ID.
const maxVLAN = 4094

// keyVLAN is the other_config key of a network's VLAN ID ("0": untagged).
const keyVLAN = keyPrefix + "vlan"

// network returns guest network id as EnsureNetwork left it for this
// member: ErrNotFound when the pool has no such network or, for a VLAN
// network, this member has no interface on it.
func (h *host) network(ctx context.Context, id string) (xenapi.NetworkRef, error) {
	ref, rec, err := h.namedNetwork(ctx, id)
	if err != nil {
		return "", err
	}
	if rec.OtherConfig[keyVLAN] != "" && rec.OtherConfig[keyVLAN] != "0" {
		_, ok, err := h.memberPIF(ctx, rec)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", fmt.Errorf("%w: network %s is not ensured on this host", hypervisors.ErrNotFound, id)
		}
	}
	return ref, nil
}

// namedNetwork returns network cloudcore-net-<id>; the oldest by UUID
// when calls racing on two members made two.
func (h *host) namedNetwork(ctx context.Context, id string) (xenapi.NetworkRef, xenapi.NetworkRecord, error) {
	if err := hypervisors.CheckID("network ID", id); err != nil {
		return "", xenapi.NetworkRecord{}, err
	}
	refs, err := h.c.Network.GetByNameLabel(ctx, networkPrefix+id)
	if err != nil {
		return "", xenapi.NetworkRecord{}, wrap("looking up network "+id, err)
	}
	var best xenapi.NetworkRef
	var bestRec xenapi.NetworkRecord
	for _, ref := range refs {
		rec, err := h.c.Network.GetRecord(ctx, ref)
		if xenapi.IsCode(err, xenapi.CodeHandleInvalid) {
			continue
		}
		if err != nil {
			return "", xenapi.NetworkRecord{}, wrap("reading network "+id, err)
		}
		if best == "" || rec.UUID < bestRec.UUID {
			best, bestRec = ref, rec
		}
	}
	if best == "" {
		return "", xenapi.NetworkRecord{}, fmt.Errorf("%w: network %s is not ensured", hypervisors.ErrNotFound, id)
	}
	return best, bestRec, nil
}

// memberPIF returns the interface of network rec on this member.
func (h *host) memberPIF(ctx context.Context, rec xenapi.NetworkRecord) (xenapi.PIFRecord, bool, error) {
	for _, ref := range rec.PIFs {
		pif, err := h.c.PIF.GetRecord(ctx, ref)
		if xenapi.IsCode(err, xenapi.CodeHandleInvalid) {
			continue
		}
		if err != nil {
			return xenapi.PIFRecord{}, false, wrap("reading an interface", err)
		}
		if pif.Host == h.ref {
			return pif, true, nil
		}
	}
	return xenapi.PIFRecord{}, false, nil
}

// memberVIFs counts the VIFs on network rec of VMs (and snapshots) that
// run on this member or, halted, have it as their affinity.
func (h *host) memberVIFs(ctx context.Context, rec xenapi.NetworkRecord) (int, error) {
	n := 0
	for _, ref := range rec.VIFs {
		vif, err := h.c.VIF.GetRecord(ctx, ref)
		if xenapi.IsCode(err, xenapi.CodeHandleInvalid) {
			continue
		}
		if err != nil {
			return 0, err
		}
		vm, err := h.c.VM.GetRecord(ctx, vif.VM)
		if xenapi.IsCode(err, xenapi.CodeHandleInvalid) {
			continue
		}
		if err != nil {
			return 0, err
		}
		if h.onMember(vm) {
			n++
		}
	}
	return n, nil
}

// EnsureNetwork makes network cloudcore-net-<ID> in the pool when there is
// none and, for a VLAN, tags the VLAN on this member's pif (VLAN.create).
// An untagged network has no interface: it is internal to each member. A
// VLAN that another network holds on the interface fails with ErrConflict.
func (h *host) EnsureNetwork(ctx context.Context, n hypervisors.NetworkSpec) error {
	op := "EnsureNetwork " + n.ID
	if err := hypervisors.CheckID("network ID", n.ID); err != nil {
		return err
	}
	if n.VLAN < 0 || n.VLAN > maxVLAN {
		return fmt.Errorf("%w: %s: VLAN %d is not in 0..%d", hypervisors.ErrInvalid, op, n.VLAN, maxVLAN)
	}
	ref, rec, err := h.namedNetwork(ctx, n.ID)
	if isNotFound(err) {
		ref, rec, err = h.createNetwork(ctx, n)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if n.VLAN == 0 {
		return nil
	}
	if _, ok, err := h.memberPIF(ctx, rec); err != nil || ok {
		return err
	}
	pif, err := h.uplink(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	_, err = h.c.VLAN.Create(ctx, pif, int64(n.VLAN), ref)
	return wrap(op+": VLAN "+strconv.Itoa(n.VLAN), err)
}

// createNetwork makes network n and returns the network of that name that
// wins when another member made one at the same time; it destroys its own
// when it is not that one.
func (h *host) createNetwork(ctx context.Context, n hypervisors.NetworkSpec) (xenapi.NetworkRef, xenapi.NetworkRecord, error) {
	made, err := h.c.Network.Create(ctx, xenapi.NetworkSpec{NameLabel: networkPrefix + n.ID, NameDescription: n.Name,
		MTU: xenapi.Int(h.cfg.mtu), OtherConfig: map[string]string{keyID: n.ID, keyVLAN: strconv.Itoa(n.VLAN)}})
	if err != nil {
		return "", xenapi.NetworkRecord{}, wrap("creating the network", err)
	}
	ref, rec, err := h.namedNetwork(ctx, n.ID)
	if err == nil && ref != made {
		err = wrap("destroying a duplicate network", h.c.Network.Destroy(ctx, made))
	}
	return ref, rec, err
}

// uplink returns the physical interface of this member that VLANs are
// tagged on: the one of device pif, else the management interface.
func (h *host) uplink(ctx context.Context) (xenapi.PIFRef, error) {
	pifs, err := h.c.PIF.GetAllRecords(ctx)
	if err != nil {
		return "", wrap("listing interfaces", err)
	}
	var devices []string
	for ref, p := range pifs {
		if p.Host != h.ref || p.VLAN != -1 {
			continue
		}
		devices = append(devices, p.Device)
		if h.cfg.pifDevice == p.Device || h.cfg.pifDevice == "" && p.Management {
			return ref, nil
		}
	}
	slices.Sort(devices)
	return "", fmt.Errorf("%w: the host has no untagged interface %q for VLANs (host URL parameter pif; it has %v)", hypervisors.ErrNotFound, h.cfg.pifDevice, devices)
}

// RemoveNetwork removes the network's VLAN interface from this member and
// then the network, once no member has an interface or a VM on it. It
// fails with ErrConflict while a VM of this member (see ListVMs) or one of
// its snapshots has a NIC on it, and succeeds when it is gone.
func (h *host) RemoveNetwork(ctx context.Context, id string) error {
	op := "RemoveNetwork " + id
	ref, rec, err := h.namedNetwork(ctx, id)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if n, err := h.memberVIFs(ctx, rec); err != nil || n > 0 {
		if err != nil {
			return wrap(op, err)
		}
		return fmt.Errorf("%w: %s: %d NICs of VMs of this host are on it", hypervisors.ErrConflict, op, n)
	}
	pif, ok, err := h.memberPIF(ctx, rec)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if ok && !xenapi.IsNull(pif.VLANMasterOf) {
		if err := h.c.VLAN.Destroy(ctx, pif.VLANMasterOf); err != nil && !xenapi.IsCode(err, xenapi.CodeHandleInvalid) {
			return wrap(op, err)
		}
		if rec, err = h.c.Network.GetRecord(ctx, ref); err != nil {
			return wrap(op, err)
		}
	}
	if len(rec.PIFs) > 0 || len(rec.VIFs) > 0 {
		return nil // other members still use it (network.destroy would drop their VIFs)
	}
	if err := h.c.Network.Destroy(ctx, ref); err != nil && !xenapi.IsCode(err, xenapi.CodeHandleInvalid) {
		return wrap(op, err)
	}
	return nil
}
