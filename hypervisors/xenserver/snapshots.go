package xenserver

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver/xenapi"
)

// snapshot is one of a VM's snapshots.
type snapshot struct {
	ref  xenapi.VMRef
	info hypervisors.SnapshotInfo
}

// snapshots returns the driver's snapshots of VM record rec, oldest first.
func (h *host) snapshots(ctx context.Context, rec xenapi.VMRecord) ([]snapshot, error) {
	var list []snapshot
	for _, ref := range rec.Snapshots {
		snap, err := h.c.VM.GetRecord(ctx, ref)
		if xenapi.IsCode(err, xenapi.CodeHandleInvalid) {
			continue
		}
		if err != nil {
			return nil, err
		}
		id, ours := idFrom(snap.NameLabel, snapshotPrefix)
		if !ours {
			continue
		}
		created, _ := time.Parse(time.RFC3339Nano, snap.OtherConfig[keyCreated])
		list = append(list, snapshot{ref: ref, info: hypervisors.SnapshotInfo{
			ID:        id,
			Name:      snap.OtherConfig[keyName],
			ParentID:  snap.OtherConfig[keyParent],
			Memory:    !xenapi.IsNull(snap.SuspendVDI),
			Power:     hypervisors.PowerState(snap.OtherConfig[keyPower]),
			CreatedAt: created,
		}})
	}
	slices.SortStableFunc(list, func(a, b snapshot) int { return a.info.CreatedAt.Compare(b.info.CreatedAt) })
	return list, nil
}

// find returns the snapshot with ID id of list.
func find(list []snapshot, id string) (snapshot, bool) {
	i := slices.IndexFunc(list, func(s snapshot) bool { return s.info.ID == id })
	if i < 0 {
		return snapshot{}, false
	}
	return list[i], true
}

// CreateSnapshot takes snapshot cloudcore-snap-<ID> of the VM: with
// memory VM.checkpoint (the VM must run: ErrConflict otherwise), else
// VM.snapshot. Its parent is the VM's current snapshot, and it becomes the
// current one. When a step after the snapshot fails, the snapshot is
// destroyed again.
func (h *host) CreateSnapshot(ctx context.Context, vmID string, s hypervisors.SnapshotSpec) (hypervisors.SnapshotInfo, error) {
	op := "CreateSnapshot " + s.ID
	if err := hypervisors.CheckID("snapshot ID", s.ID); err != nil {
		return hypervisors.SnapshotInfo{}, err
	}
	vm, rec, err := h.vm(ctx, vmID)
	if err != nil {
		return hypervisors.SnapshotInfo{}, fmt.Errorf("%s: %w", op, err)
	}
	if s.Memory && rec.PowerState != xenapi.PowerRunning {
		return hypervisors.SnapshotInfo{}, fmt.Errorf("%w: %s: a snapshot with memory needs a running VM, and VM %s is %s", hypervisors.ErrConflict, op, vmID, rec.PowerState)
	}
	list, err := h.snapshots(ctx, rec)
	if err != nil {
		return hypervisors.SnapshotInfo{}, wrap(op, err)
	}
	if _, exists := find(list, s.ID); exists {
		return hypervisors.SnapshotInfo{}, fmt.Errorf("%w: %s: the snapshot exists", hypervisors.ErrConflict, op)
	}
	info := hypervisors.SnapshotInfo{ID: s.ID, Name: s.Name, ParentID: rec.OtherConfig[keyCurrent], Memory: s.Memory,
		Power: powerState(rec.PowerState), CreatedAt: time.Now().UTC()}
	take := h.c.VM.Snapshot
	if s.Memory {
		take = h.c.VM.Checkpoint
	}
	ref, err := take(ctx, vm, snapshotPrefix+s.ID)
	if err == nil {
		err = h.describeSnapshot(ctx, ref, info)
	}
	if err == nil {
		err = h.setVMConfig(ctx, vm, keyCurrent, s.ID)
	}
	if err != nil {
		if !xenapi.IsNull(ref) {
			cctx, cancel := cleanupContext()
			defer cancel()
			if undo := h.destroySnapshot(cctx, ref); undo != nil {
				err = fmt.Errorf("%w (and destroying the snapshot failed: %w)", err, undo)
			}
		}
		return hypervisors.SnapshotInfo{}, wrap(op, err)
	}
	return info, nil
}

// describeSnapshot writes info into snapshot ref's other_config.
func (h *host) describeSnapshot(ctx context.Context, ref xenapi.VMRef, info hypervisors.SnapshotInfo) error {
	for key, value := range map[string]string{
		keyName:    info.Name,
		keyParent:  info.ParentID,
		keyPower:   string(info.Power),
		keyCreated: info.CreatedAt.Format(time.RFC3339Nano),
	} {
		if err := h.setVMConfig(ctx, ref, key, value); err != nil {
			return err
		}
	}
	return nil
}

// ListSnapshots lists the VM's snapshots, oldest first.
func (h *host) ListSnapshots(ctx context.Context, vmID string) ([]hypervisors.SnapshotInfo, error) {
	_, rec, err := h.vm(ctx, vmID)
	if err != nil {
		return nil, fmt.Errorf("ListSnapshots: %w", err)
	}
	list, err := h.snapshots(ctx, rec)
	if err != nil {
		return nil, wrap("ListSnapshots", err)
	}
	infos := make([]hypervisors.SnapshotInfo, len(list))
	for i, s := range list {
		infos[i] = s.info
	}
	return infos, nil
}

// RevertSnapshot reverts the VM to the snapshot (VM.revert), resumes a VM
// that a checkpoint left suspended, and makes the snapshot the current
// one. XenAPI replaces the VM's disks by copies of the snapshot's, which
// carry the name labels, hence the volume IDs, of the disks they replace.
func (h *host) RevertSnapshot(ctx context.Context, vmID, snapshotID string) error {
	op := "RevertSnapshot " + snapshotID
	vm, rec, err := h.vm(ctx, vmID)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	list, err := h.snapshots(ctx, rec)
	if err != nil {
		return wrap(op, err)
	}
	snap, ok := find(list, snapshotID)
	if !ok {
		return fmt.Errorf("%w: %s: VM %s has no such snapshot", hypervisors.ErrNotFound, op, vmID)
	}
	if err := h.c.VM.Revert(ctx, snap.ref); err != nil {
		return wrap(op, err)
	}
	if rec, err = h.c.VM.GetRecord(ctx, vm); err != nil {
		return wrap(op, err)
	}
	if err := h.setVMConfig(ctx, vm, keyCurrent, snapshotID); err != nil {
		return wrap(op, err)
	}
	if rec.PowerState == xenapi.PowerSuspended {
		return wrap(op, h.c.VM.Resume(ctx, vm, false, false))
	}
	return nil
}

// eachDisk calls fn with each disk (not CD) VBD of the VM and its VDI.
func (h *host) eachDisk(ctx context.Context, rec xenapi.VMRecord, fn func(xenapi.VBDRecord, xenapi.VDIRecord) error) error {
	for _, ref := range rec.VBDs {
		vbd, err := h.c.VBD.GetRecord(ctx, ref)
		if err != nil {
			return err
		}
		if vbd.Type != xenapi.VBDTypeDisk || vbd.Empty || xenapi.IsNull(vbd.VDI) {
			continue
		}
		vdi, err := h.c.VDI.GetRecord(ctx, vbd.VDI)
		if err != nil {
			return err
		}
		if err := fn(vbd, vdi); err != nil {
			return err
		}
	}
	return nil
}

// DeleteSnapshot destroys the snapshot; its children take its parent,
// which also becomes current when it was. It succeeds when the VM or the
// snapshot does not exist.
func (h *host) DeleteSnapshot(ctx context.Context, vmID, snapshotID string) error {
	op := "DeleteSnapshot " + snapshotID
	vm, rec, err := h.vm(ctx, vmID)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	list, err := h.snapshots(ctx, rec)
	if err != nil {
		return wrap(op, err)
	}
	snap, ok := find(list, snapshotID)
	if !ok {
		return nil
	}
	for _, child := range list {
		if child.info.ParentID == snapshotID {
			if err := h.setVMConfig(ctx, child.ref, keyParent, snap.info.ParentID); err != nil {
				return wrap(op, err)
			}
		}
	}
	if rec.OtherConfig[keyCurrent] == snapshotID {
		if err := h.setVMConfig(ctx, vm, keyCurrent, snap.info.ParentID); err != nil {
			return wrap(op, err)
		}
	}
	return wrap(op, h.destroySnapshot(ctx, snap.ref))
}

// destroySnapshot destroys snapshot ref and then its disk copies and
// memory image (XenAPI refuses to destroy the disks of a checkpoint, which
// counts as suspended, first). Disks it shares with the VM, such as the
// config drive, stay.
func (h *host) destroySnapshot(ctx context.Context, ref xenapi.VMRef) error {
	rec, err := h.c.VM.GetRecord(ctx, ref)
	if xenapi.IsCode(err, xenapi.CodeHandleInvalid) {
		return nil
	}
	if err != nil {
		return err
	}
	var vdis []xenapi.VDIRef
	err = h.eachDisk(ctx, rec, func(vbd xenapi.VBDRecord, vdi xenapi.VDIRecord) error {
		if vdi.IsASnapshot {
			vdis = append(vdis, vbd.VDI)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !xenapi.IsNull(rec.SuspendVDI) {
		vdis = append(vdis, rec.SuspendVDI)
	}
	if err := h.c.VM.Destroy(ctx, ref); err != nil && !xenapi.IsCode(err, xenapi.CodeHandleInvalid) {
		return err
	}
	for _, vdi := range vdis {
		if err := h.c.VDI.Destroy(ctx, vdi); err != nil && !xenapi.IsCode(err, xenapi.CodeHandleInvalid) {
			return err
		}
	}
	return nil
}
