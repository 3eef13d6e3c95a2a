package xenserver

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/nocloud"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver/xenapi"
)

// cleanupTimeout bounds the clean-up after a failed call, which runs with
// a context of its own: the caller's may be what ended the call.
const cleanupTimeout = 2 * time.Minute

// cleanupContext is the context of a clean-up (see cleanupTimeout).
func cleanupContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), cleanupTimeout)
}

// checkVMSpec fails with ErrInvalid for a spec CreateVM cannot make.
func checkVMSpec(spec hypervisors.VMSpec) error {
	if err := hypervisors.CheckID("VM ID", spec.ID); err != nil {
		return err
	}
	if err := hypervisors.CheckResources(spec.Resources); err != nil {
		return err
	}
	for i, nic := range spec.NICs {
		if err := checkNIC(nic); err != nil {
			return fmt.Errorf("NIC %d: %w", i, err)
		}
	}
	return nil
}

// checkNIC fails with ErrInvalid for a NIC with a malformed network ID or
// MAC.
func checkNIC(nic hypervisors.NIC) error {
	if err := hypervisors.CheckID("network ID", nic.NetworkID); err != nil {
		return err
	}
	return hypervisors.CheckMAC(nic.MAC)
}

// vm returns VM id: the VM named cloudcore-<id> that is not a snapshot.
// A clone that a CreateVM cut short left a template counts too, so that
// DestroyVM removes it. ErrNotFound when there is none.
func (h *host) vm(ctx context.Context, id string) (xenapi.VMRef, xenapi.VMRecord, error) {
	if err := hypervisors.CheckID("VM ID", id); err != nil {
		return "", xenapi.VMRecord{}, err
	}
	refs, err := h.c.VM.GetByNameLabel(ctx, vmPrefix+id)
	if err != nil {
		return "", xenapi.VMRecord{}, wrap("looking up VM "+id, err)
	}
	for _, ref := range refs {
		rec, err := h.c.VM.GetRecord(ctx, ref)
		if xenapi.IsCode(err, xenapi.CodeHandleInvalid) {
			continue // destroyed meanwhile
		}
		if err != nil {
			return "", xenapi.VMRecord{}, wrap("reading VM "+id, err)
		}
		if !rec.IsASnapshot {
			return ref, rec, nil
		}
	}
	return "", xenapi.VMRecord{}, fmt.Errorf("%w: VM %s does not exist", hypervisors.ErrNotFound, id)
}

// CreateVM clones base_template into VM cloudcore-<ID>, provisions it
// without the template's disks, sets its CPUs and memory and its affinity
// to this member, and plugs in the volumes (the first boots), the config
// drive (see configDrive) and a VIF per NIC. When a step fails, the VM and
// its config drive are removed again; the volumes stay.
func (h *host) CreateVM(ctx context.Context, spec hypervisors.VMSpec) (hypervisors.VMStatus, error) {
	op := "CreateVM " + spec.ID
	if err := checkVMSpec(spec); err != nil {
		return hypervisors.VMStatus{}, err
	}
	if _, _, err := h.vm(ctx, spec.ID); err == nil {
		return hypervisors.VMStatus{}, fmt.Errorf("%w: %s: the VM exists", hypervisors.ErrConflict, op)
	} else if !isNotFound(err) {
		return hypervisors.VMStatus{}, fmt.Errorf("%s: %w", op, err)
	}
	devs, err := h.resolve(ctx, spec)
	if err != nil {
		return hypervisors.VMStatus{}, fmt.Errorf("%s: %w", op, err)
	}
	tpl, err := h.baseTemplate(ctx)
	if err != nil {
		return hypervisors.VMStatus{}, fmt.Errorf("%s: %w", op, err)
	}
	ref, err := h.c.VM.Clone(ctx, tpl, vmPrefix+spec.ID)
	if err == nil {
		err = h.build(ctx, ref, spec, devs)
	}
	if err != nil {
		cctx, cancel := cleanupContext()
		defer cancel()
		if cleanup := h.removeVM(cctx, ref, spec.ID); cleanup != nil {
			err = fmt.Errorf("%w (and removing what was made failed: %w)", err, cleanup)
		}
		return hypervisors.VMStatus{}, wrap(op, err)
	}
	return hypervisors.VMStatus{ID: spec.ID, Name: spec.Name, Power: hypervisors.PowerStopped, Resources: spec.Resources}, nil
}

// vmDevices are the pool's objects a VMSpec names.
type vmDevices struct {
	disks    []xenapi.VDIRef
	bootSR   xenapi.SRRef // of the first disk; "" without disks
	networks []xenapi.NetworkRef
}

// resolve looks up the volumes and networks of spec: ErrNotFound when a
// volume does not exist or a network was not ensured.
func (h *host) resolve(ctx context.Context, spec hypervisors.VMSpec) (vmDevices, error) {
	var d vmDevices
	for i, disk := range spec.Disks {
		ref, rec, err := h.volume(ctx, disk.Pool, disk.VolumeID)
		if err != nil {
			return d, fmt.Errorf("disk %d: %w", i, err)
		}
		if i == 0 {
			d.bootSR = rec.SR
		}
		d.disks = append(d.disks, ref)
	}
	for i, nic := range spec.NICs {
		ref, err := h.network(ctx, nic.NetworkID)
		if err != nil {
			return d, fmt.Errorf("NIC %d: %w", i, err)
		}
		d.networks = append(d.networks, ref)
	}
	return d, nil
}

// baseTemplate returns the template VMs are cloned from.
func (h *host) baseTemplate(ctx context.Context) (xenapi.VMRef, error) {
	refs, err := h.c.VM.GetByNameLabel(ctx, h.cfg.baseTemplate)
	if err != nil {
		return "", wrap("looking up the base template", err)
	}
	for _, ref := range refs {
		rec, err := h.c.VM.GetRecord(ctx, ref)
		if xenapi.IsCode(err, xenapi.CodeHandleInvalid) {
			continue // destroyed meanwhile
		}
		if err != nil {
			return "", wrap("reading the base template", err)
		}
		if rec.IsATemplate && !rec.IsASnapshot {
			return ref, nil
		}
	}
	return "", fmt.Errorf("%w: the pool has no VM template %q (host URL parameter base_template)", hypervisors.ErrNotFound, h.cfg.baseTemplate)
}

// build turns the fresh clone ref into the VM of spec.
func (h *host) build(ctx context.Context, ref xenapi.VMRef, spec hypervisors.VMSpec, devs vmDevices) error {
	// Provision would make the template's own disks; the VM gets volumes.
	if err := h.c.VM.RemoveFromOtherConfig(ctx, ref, "disks"); err != nil {
		return err
	}
	if err := h.c.VM.Provision(ctx, ref); err != nil {
		return err
	}
	if err := h.c.VM.SetIsATemplate(ctx, ref, false); err != nil {
		return err
	}
	if err := h.c.VM.SetNameDescription(ctx, ref, spec.Name); err != nil {
		return err
	}
	if err := h.setVMConfig(ctx, ref, keyID, spec.ID); err != nil {
		return err
	}
	if err := h.c.VM.SetAffinity(ctx, ref, h.ref); err != nil {
		return err
	}
	rec, err := h.c.VM.GetRecord(ctx, ref)
	if err != nil {
		return err
	}
	if err := h.setResources(ctx, ref, rec, spec.Resources); err != nil {
		return err
	}
	for i, vdi := range devs.disks {
		if _, err := h.c.VBD.Create(ctx, xenapi.VBDSpec{VM: ref, VDI: vdi, UserDevice: strconv.Itoa(i), Bootable: i == 0,
			Mode: xenapi.VBDModeRW, Type: xenapi.VBDTypeDisk}); err != nil {
			return fmt.Errorf("disk %d: %w", i, err)
		}
	}
	if h.cfg.configDrive && devs.bootSR != "" {
		if err := h.configDrive(ctx, ref, spec, devs.bootSR, strconv.Itoa(len(devs.disks))); err != nil {
			return fmt.Errorf("config drive: %w", err)
		}
	}
	for i, nic := range spec.NICs {
		if _, err := h.c.VIF.Create(ctx, xenapi.VIFSpec{Device: strconv.Itoa(i), Network: devs.networks[i], VM: ref,
			MAC: nic.MAC, MTU: xenapi.Int(h.cfg.mtu)}); err != nil {
			return fmt.Errorf("NIC %d: %w", i, err)
		}
	}
	return nil
}

// setVMConfig sets other_config key of a VM (or snapshot) to value; an
// empty value removes the key.
func (h *host) setVMConfig(ctx context.Context, vm xenapi.VMRef, key, value string) error {
	if err := h.c.VM.RemoveFromOtherConfig(ctx, vm, key); err != nil || value == "" {
		return err
	}
	return h.c.VM.AddToOtherConfig(ctx, vm, key, value)
}

// setResources gives the halted VM r's CPUs and memory: all four memory
// limits r's memory (static_min no more than it) and r's CPUs at startup
// and at most, in the order XenAPI accepts.
func (h *host) setResources(ctx context.Context, vm xenapi.VMRef, rec xenapi.VMRecord, r hypervisors.Resources) error {
	mem := r.MemoryMiB << 20
	if err := h.c.VM.SetMemoryLimits(ctx, vm, min(int64(rec.MemoryStaticMin), mem), mem, mem, mem); err != nil {
		return err
	}
	cpus := int64(r.CPUs)
	if cpus > int64(rec.VCPUsMax) {
		if err := h.c.VM.SetVCPUsMax(ctx, vm, cpus); err != nil {
			return err
		}
		return h.c.VM.SetVCPUsAtStartup(ctx, vm, cpus)
	}
	if err := h.c.VM.SetVCPUsAtStartup(ctx, vm, cpus); err != nil {
		return err
	}
	return h.c.VM.SetVCPUsMax(ctx, vm, cpus)
}

// configDrive makes VDI cloudcore-cidata-<ID> on sr holding the NoCloud
// seed of spec and plugs it into vm as a read-only CD at userdevice.
func (h *host) configDrive(ctx context.Context, vm xenapi.VMRef, spec hypervisors.VMSpec, sr xenapi.SRRef, userdevice string) error {
	img, err := nocloud.Image(spec)
	if err != nil {
		return err
	}
	vdi, err := h.c.VDI.Create(ctx, xenapi.VDISpec{NameLabel: cidataPrefix + spec.ID, SR: sr, VirtualSize: xenapi.Int(len(img)),
		Type: xenapi.VDITypeUser, ReadOnly: false, OtherConfig: map[string]string{keyID: spec.ID}})
	if err != nil {
		return err
	}
	if err := h.c.ImportRawVDI(ctx, vdi, bytes.NewReader(img), int64(len(img))); err != nil {
		return err
	}
	_, err = h.c.VBD.Create(ctx, xenapi.VBDSpec{VM: vm, VDI: vdi, UserDevice: userdevice, Mode: xenapi.VBDModeRO, Type: xenapi.VBDTypeCD})
	return err
}

// removeVM removes VM ref (VM id, when ref is "" or gone: looked up by its
// name) with its snapshots and config drive, but not its volumes: it
// powers the VM off, destroys the snapshots with their disk copies and
// memory images, destroys the VM (XenAPI keeps its disks) and last the
// config drive, so that a removal cut short is finished by the next. When
// the VM is gone already, as after a VM.destroy behind cloudcore's back,
// it destroys the snapshots and the config drive the VM left.
func (h *host) removeVM(ctx context.Context, ref xenapi.VMRef, id string) error {
	var rec xenapi.VMRecord
	var err error
	if !xenapi.IsNull(ref) {
		rec, err = h.c.VM.GetRecord(ctx, ref)
	}
	if xenapi.IsNull(ref) || xenapi.IsCode(err, xenapi.CodeHandleInvalid) {
		ref, rec, err = h.vm(ctx, id)
		if isNotFound(err) {
			if err := h.destroyOrphanSnapshots(ctx, id); err != nil {
				return err
			}
			return h.destroyConfigDrive(ctx, id)
		}
	}
	if err != nil {
		return err
	}
	if rec.PowerState != xenapi.PowerHalted {
		if err := h.c.VM.HardShutdown(ctx, ref); err != nil && !xenapi.IsCode(err, xenapi.CodeVMBadPowerState) {
			return err
		}
	}
	for _, snap := range rec.Snapshots {
		if err := h.destroySnapshot(ctx, snap); err != nil {
			return err
		}
	}
	if err := h.c.VM.Destroy(ctx, ref); err != nil && !xenapi.IsCode(err, xenapi.CodeHandleInvalid) {
		return err
	}
	return h.destroyConfigDrive(ctx, id)
}

// destroyOrphanSnapshots destroys the snapshots of VM id (they carry its
// other_config) that outlived it.
func (h *host) destroyOrphanSnapshots(ctx context.Context, id string) error {
	vms, err := h.c.VM.GetAllRecords(ctx)
	if err != nil {
		return err
	}
	for ref, rec := range vms {
		if _, ours := idFrom(rec.NameLabel, snapshotPrefix); ours && rec.IsASnapshot && rec.OtherConfig[keyID] == id {
			if err := h.destroySnapshot(ctx, ref); err != nil {
				return err
			}
		}
	}
	return nil
}

// destroyConfigDrive destroys the config drives of VM id.
func (h *host) destroyConfigDrive(ctx context.Context, id string) error {
	refs, err := h.c.VDI.GetByNameLabel(ctx, cidataPrefix+id)
	if err != nil {
		return err
	}
	for _, ref := range refs {
		if err := h.c.VDI.Destroy(ctx, ref); err != nil && !xenapi.IsCode(err, xenapi.CodeHandleInvalid) {
			return err
		}
	}
	return nil
}

// DestroyVM powers the VM off and removes it with its snapshots and config
// drive (see removeVM); it succeeds when the VM does not exist.
func (h *host) DestroyVM(ctx context.Context, id string) error {
	op := "DestroyVM " + id
	if err := hypervisors.CheckID("VM ID", id); err != nil {
		return err
	}
	return wrap(op, h.removeVM(ctx, "", id))
}

// VMStatus reports VM id; ErrNotFound when it does not exist.
func (h *host) VMStatus(ctx context.Context, id string) (hypervisors.VMStatus, error) {
	_, rec, err := h.vm(ctx, id)
	if err != nil {
		return hypervisors.VMStatus{}, fmt.Errorf("VMStatus: %w", err)
	}
	return vmStatus(id, rec), nil
}

// ListVMs lists the VMs named cloudcore-<UUID> (see vm) that run on this
// member or, halted, have it as their affinity.
func (h *host) ListVMs(ctx context.Context) ([]hypervisors.VMStatus, error) {
	vms, err := h.c.VM.GetAllRecords(ctx)
	if err != nil {
		return nil, wrap("ListVMs", err)
	}
	var list []hypervisors.VMStatus
	for _, rec := range vms {
		id, ours := idFrom(rec.NameLabel, vmPrefix)
		if !ours || rec.IsASnapshot || rec.IsControlDomain {
			continue
		}
		if h.onMember(rec) {
			list = append(list, vmStatus(id, rec))
		}
	}
	return list, nil
}

// onMember reports whether the VM runs on this member or, halted, has it
// as its affinity.
func (h *host) onMember(rec xenapi.VMRecord) bool {
	return rec.ResidentOn == h.ref || xenapi.IsNull(rec.ResidentOn) && rec.Affinity == h.ref
}

// vmStatus is the status of VM id, record rec. A suspended VM, whose
// memory waits on disk, counts as paused.
func vmStatus(id string, rec xenapi.VMRecord) hypervisors.VMStatus {
	return hypervisors.VMStatus{
		ID:        id,
		Name:      rec.NameDescription,
		Power:     powerState(rec.PowerState),
		Resources: hypervisors.Resources{CPUs: int(rec.VCPUsAtStartup), MemoryMiB: int64(rec.MemoryStaticMax) >> 20},
	}
}

// powerState maps a XenAPI power state to a power state.
func powerState(s string) hypervisors.PowerState {
	switch s {
	case xenapi.PowerRunning:
		return hypervisors.PowerRunning
	case xenapi.PowerHalted:
		return hypervisors.PowerStopped
	case xenapi.PowerPaused, xenapi.PowerSuspended:
		return hypervisors.PowerPaused
	}
	return hypervisors.PowerUnknown
}
