package vmware

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// snapshotTag starts the description of cloudcore's snapshots, which
// records what vSphere does not: the cloudcore UUID, and whether the
// snapshot has memory and the VM's power state when it was taken
// (vSphere records a disk-only snapshot of a running VM as powered off).
const snapshotTag = "cloudcore-snapshot"

// snapshot is one of cloudcore's snapshots in a VM's snapshot tree.
type snapshot struct {
	hypervisors.SnapshotInfo
	ref   types.ManagedObjectReference
	order int32 // vSphere's ID, increasing with creation
}

// describeSnapshot is the description of a snapshot cloudcore takes.
func describeSnapshot(id string, memory bool, power hypervisors.PowerState) string {
	return fmt.Sprintf("%s id=%s memory=%t power=%s", snapshotTag, id, memory, power)
}

// parseSnapshotDescription reads a description made by describeSnapshot;
// ok is false for other snapshots.
func parseSnapshotDescription(desc string) (id string, memory bool, power hypervisors.PowerState, ok bool) {
	fields := strings.Fields(desc)
	if len(fields) != 4 || fields[0] != snapshotTag {
		return "", false, "", false
	}
	values := map[string]string{}
	for _, f := range fields[1:] {
		k, v, _ := strings.Cut(f, "=")
		values[k] = v
	}
	memory, err := strconv.ParseBool(values["memory"])
	id, power = values["id"], hypervisors.PowerState(values["power"])
	return id, memory, power, err == nil && hypervisors.CheckID("snapshot ID", id) == nil && power != ""
}

// CreateSnapshot snapshots the VM: with memory (the VM must be running,
// else ErrConflict) or disk only. The snapshot takes s.Name, or its ID
// when s has no name, and becomes the VM's current snapshot.
func (h *host) CreateSnapshot(ctx context.Context, vmID string, s hypervisors.SnapshotSpec) (hypervisors.SnapshotInfo, error) {
	op := "CreateSnapshot " + s.ID + " of VM " + vmID
	if err := h.begin(ctx, op); err != nil {
		return hypervisors.SnapshotInfo{}, err
	}
	if err := cmp.Or(hypervisors.CheckID("VM ID", vmID), hypervisors.CheckID("snapshot ID", s.ID)); err != nil {
		return hypervisors.SnapshotInfo{}, err
	}
	vm, st, err := h.vm(ctx, vmID)
	if err != nil {
		return hypervisors.SnapshotInfo{}, h.fail(ctx, op, err)
	}
	if s.Memory && st.Power != hypervisors.PowerRunning {
		return hypervisors.SnapshotInfo{}, h.fail(ctx, op, fmt.Errorf("%w: a snapshot with memory needs a running VM; it is %s", hypervisors.ErrConflict, st.Power))
	}
	snaps, err := h.snapshots(ctx, vm)
	if err != nil {
		return hypervisors.SnapshotInfo{}, h.fail(ctx, op, err)
	}
	if slices.ContainsFunc(snaps, func(sn snapshot) bool { return sn.ID == s.ID }) {
		return hypervisors.SnapshotInfo{}, h.fail(ctx, op, fmt.Errorf("%w: the VM has snapshot %s", hypervisors.ErrConflict, s.ID))
	}
	name := cmp.Or(s.Name, s.ID)
	res, err := h.runTask(ctx, func(ctx context.Context) (*object.Task, error) {
		return vm.CreateSnapshot(ctx, name, describeSnapshot(s.ID, s.Memory, st.Power), s.Memory, false)
	})
	if err != nil {
		return hypervisors.SnapshotInfo{}, h.fail(ctx, op, err)
	}
	if snaps, err = h.snapshots(ctx, vm); err != nil {
		return hypervisors.SnapshotInfo{}, h.fail(ctx, op, err)
	}
	for _, sn := range snaps {
		if sn.ref == res.(types.ManagedObjectReference) {
			return sn.SnapshotInfo, nil
		}
	}
	return hypervisors.SnapshotInfo{}, h.fail(ctx, op, fmt.Errorf("the snapshot vSphere made is not in the VM's snapshot tree"))
}

// ListSnapshots lists cloudcore's snapshots of the VM, oldest first. A
// snapshot's parent is its nearest ancestor that is cloudcore's.
func (h *host) ListSnapshots(ctx context.Context, vmID string) ([]hypervisors.SnapshotInfo, error) {
	op := "ListSnapshots of VM " + vmID
	vm, err := h.existingVM(ctx, op, vmID)
	if err != nil {
		return nil, err
	}
	snaps, err := h.snapshots(ctx, vm)
	if err != nil {
		return nil, h.fail(ctx, op, err)
	}
	infos := make([]hypervisors.SnapshotInfo, len(snaps))
	for i, sn := range snaps {
		infos[i] = sn.SnapshotInfo
	}
	return infos, nil
}

// RevertSnapshot reverts the VM to the snapshot. vSphere restores the
// snapshot's configuration and power state itself; the driver then checks
// both and completes the revert where the platform left the VM otherwise:
// stopped with the snapshot's CPU and memory for a disk-only snapshot,
// running for one with memory.
func (h *host) RevertSnapshot(ctx context.Context, vmID, snapshotID string) error {
	op := "RevertSnapshot " + snapshotID + " of VM " + vmID
	vm, err := h.existingVM(ctx, op, vmID)
	if err != nil {
		return err
	}
	if err := hypervisors.CheckID("snapshot ID", snapshotID); err != nil {
		return err
	}
	sn, err := h.findSnapshot(ctx, vm, snapshotID)
	switch {
	case err != nil:
		return h.fail(ctx, op, err)
	case sn == nil:
		return h.fail(ctx, op, fmt.Errorf("%w: the VM has no snapshot %s", hypervisors.ErrNotFound, snapshotID))
	}
	if _, err := h.runTask(ctx, func(ctx context.Context) (*object.Task, error) {
		res, err := methods.RevertToSnapshot_Task(ctx, h.s.vim, &types.RevertToSnapshot_Task{This: sn.ref})
		if err != nil {
			return nil, err
		}
		return object.NewTask(h.s.vim, res.Returnval), nil
	}); err != nil {
		return h.fail(ctx, op, err)
	}
	return h.failIf(ctx, op, h.settleRevert(ctx, vm, sn))
}

// settleRevert brings vm to the state of snapshot sn after a revert.
func (h *host) settleRevert(ctx context.Context, vm *object.VirtualMachine, sn *snapshot) error {
	var taken mo.VirtualMachineSnapshot
	if err := h.s.retrieveOne(ctx, sn.ref, []string{"config.hardware"}, &taken); err != nil {
		return err
	}
	want := hypervisors.Resources{CPUs: int(taken.Config.Hardware.NumCPU), MemoryMiB: int64(taken.Config.Hardware.MemoryMB)}
	statuses, err := h.statuses(ctx, []types.ManagedObjectReference{vm.Reference()})
	if err != nil {
		return err
	}
	now := statuses[vm.Reference()]
	wantRunning := sn.Memory
	if now.Power != hypervisors.PowerStopped && (!wantRunning || now.Resources != want) {
		if err := h.powerOff(ctx, vm); err != nil {
			return err
		}
		now.Power = hypervisors.PowerStopped
	}
	if now.Resources != want {
		if err := h.resize(ctx, vm, want); err != nil {
			return err
		}
	}
	if wantRunning && now.Power == hypervisors.PowerStopped {
		return h.powerOn(ctx, vm)
	}
	return nil
}

// DeleteSnapshot removes the snapshot and keeps its children, which take
// its parent; a missing VM or snapshot is not an error.
func (h *host) DeleteSnapshot(ctx context.Context, vmID, snapshotID string) error {
	op := "DeleteSnapshot " + snapshotID + " of VM " + vmID
	if err := h.begin(ctx, op); err != nil {
		return err
	}
	if err := cmp.Or(hypervisors.CheckID("VM ID", vmID), hypervisors.CheckID("snapshot ID", snapshotID)); err != nil {
		return err
	}
	vm, err := h.findVM(ctx, vmID)
	if err != nil || vm == nil {
		return h.failIf(ctx, op, err)
	}
	sn, err := h.findSnapshot(ctx, vm, snapshotID)
	if err != nil || sn == nil {
		return h.failIf(ctx, op, ignoreGone(err))
	}
	_, err = h.runTask(ctx, func(ctx context.Context) (*object.Task, error) {
		res, err := methods.RemoveSnapshot_Task(ctx, h.s.vim, &types.RemoveSnapshot_Task{This: sn.ref, Consolidate: types.NewBool(true)})
		if err != nil {
			return nil, err
		}
		return object.NewTask(h.s.vim, res.Returnval), nil
	})
	return h.failIf(ctx, op, ignoreGone(err))
}

// findSnapshot returns cloudcore's snapshot id of vm, or nil.
func (h *host) findSnapshot(ctx context.Context, vm *object.VirtualMachine, id string) (*snapshot, error) {
	snaps, err := h.snapshots(ctx, vm)
	if err != nil {
		return nil, err
	}
	if i := slices.IndexFunc(snaps, func(sn snapshot) bool { return sn.ID == id }); i >= 0 {
		return &snaps[i], nil
	}
	return nil, nil
}

// snapshots returns cloudcore's snapshots of vm, oldest first.
func (h *host) snapshots(ctx context.Context, vm *object.VirtualMachine) ([]snapshot, error) {
	var o mo.VirtualMachine
	if err := h.s.retrieveOne(ctx, vm.Reference(), []string{"snapshot"}, &o); err != nil {
		return nil, err
	}
	var out []snapshot
	if o.Snapshot != nil {
		out = collectSnapshots(o.Snapshot.RootSnapshotList, "", out)
	}
	slices.SortFunc(out, func(a, b snapshot) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.order, b.order))
	})
	return out, nil
}

// collectSnapshots appends cloudcore's snapshots in tree to out; parentID
// is the cloudcore ID of the tree's nearest cloudcore ancestor.
func collectSnapshots(tree []types.VirtualMachineSnapshotTree, parentID string, out []snapshot) []snapshot {
	for _, node := range tree {
		childParent := parentID
		if id, memory, power, ok := parseSnapshotDescription(node.Description); ok {
			out = append(out, snapshot{
				SnapshotInfo: hypervisors.SnapshotInfo{
					ID: id, Name: node.Name, ParentID: parentID, Memory: memory, Power: power, CreatedAt: node.CreateTime,
				},
				ref:   node.Snapshot,
				order: node.Id,
			})
			childParent = id
		}
		out = collectSnapshots(node.ChildSnapshotList, childParent, out)
	}
	return out
}
