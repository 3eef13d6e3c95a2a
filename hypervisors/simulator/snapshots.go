package simulator

import (
	"context"
	"fmt"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// CreateSnapshot records a snapshot whose parent is the VM's current
// snapshot, and makes it current. With memory the VM must be running
// (ErrConflict otherwise); an ID the VM has already is ErrConflict.
func (h *host) CreateSnapshot(ctx context.Context, vmID string, s hypervisors.SnapshotSpec) (hypervisors.SnapshotInfo, error) {
	if err := checkName("snapshot ID", s.ID); err != nil {
		return hypervisors.SnapshotInfo{}, err
	}
	var snap snapshotRecord
	err := h.changeVM(ctx, OpCreateSnapshot, vmID, func(vm *vmRecord) error {
		if s.Memory && vm.Power != hypervisors.PowerRunning {
			return fmt.Errorf("%w: VM %s on simulator host %s is %s: a memory snapshot needs it running", hypervisors.ErrConflict, vmID, h.store.name, vm.Power)
		}
		if vm.snapshotIndex(s.ID) >= 0 {
			return fmt.Errorf("%w: VM %s on simulator host %s has a snapshot %s", hypervisors.ErrConflict, vmID, h.store.name, s.ID)
		}
		snap = snapshotRecord{
			SnapshotInfo: hypervisors.SnapshotInfo{
				ID:        s.ID,
				Name:      s.Name,
				ParentID:  vm.Current,
				Memory:    s.Memory,
				Power:     vm.Power,
				CreatedAt: time.Now().UTC(),
			},
			Resources: vm.Resources,
		}
		vm.Snapshots = append(vm.Snapshots, snap)
		vm.Current = s.ID
		return nil
	})
	if err != nil {
		return hypervisors.SnapshotInfo{}, err
	}
	return snap.SnapshotInfo, nil
}

// ListSnapshots lists the VM's snapshots in the order they were taken.
func (h *host) ListSnapshots(ctx context.Context, vmID string) ([]hypervisors.SnapshotInfo, error) {
	vm, err := h.readVM(ctx, OpListSnapshots, vmID)
	if err != nil {
		return nil, err
	}
	infos := make([]hypervisors.SnapshotInfo, len(vm.Snapshots))
	for i, s := range vm.Snapshots {
		infos[i] = s.SnapshotInfo
	}
	return infos, nil
}

// RevertSnapshot restores the snapshot's resources and power state (running
// for a memory snapshot, stopped otherwise) and makes it the current one.
func (h *host) RevertSnapshot(ctx context.Context, vmID, snapshotID string) error {
	return h.changeVM(ctx, OpRevertSnapshot, vmID, func(vm *vmRecord) error {
		i := vm.snapshotIndex(snapshotID)
		if i < 0 {
			return fmt.Errorf("%w: snapshot %s of VM %s on simulator host %s", hypervisors.ErrNotFound, snapshotID, vmID, h.store.name)
		}
		snap := vm.Snapshots[i]
		vm.Resources = snap.Resources
		vm.Power = hypervisors.PowerStopped
		if snap.Memory {
			vm.Power = hypervisors.PowerRunning
		}
		vm.Current = snapshotID
		return nil
	})
}

// DeleteSnapshot removes a snapshot; its children take its parent, and so
// does the VM when it was current. A missing snapshot or VM is not an error.
func (h *host) DeleteSnapshot(ctx context.Context, vmID, snapshotID string) error {
	if err := checkName("VM ID", vmID); err != nil {
		return err
	}
	return h.do(ctx, OpDeleteSnapshot, func(t hostTxn) error {
		vm, found, err := t.findVM(vmID)
		if err != nil || !found {
			return err
		}
		i := vm.snapshotIndex(snapshotID)
		if i < 0 {
			return nil
		}
		parent := vm.Snapshots[i].ParentID
		vm.Snapshots = append(vm.Snapshots[:i], vm.Snapshots[i+1:]...)
		for j := range vm.Snapshots {
			if vm.Snapshots[j].ParentID == snapshotID {
				vm.Snapshots[j].ParentID = parent
			}
		}
		if vm.Current == snapshotID {
			vm.Current = parent
		}
		return t.saveVM(&vm)
	})
}
