package vmware

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/google/uuid"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// The properties of a VM its status is made of.
const (
	propName        = "name"
	propPower       = "runtime.powerState"
	propCPUs        = "config.hardware.numCPU"
	propMemory      = "config.hardware.memoryMB"
	propID          = `config.extraConfig["` + keyID + `"]`
	propDisplayName = `config.extraConfig["` + keyName + `"]`
)

var statusProps = []string{propName, propPower, propCPUs, propMemory, propID, propDisplayName}

// CreateVM creates the VM stopped, with the volumes attached and the NICs
// on their portgroups (see vmConfigSpec); a missing volume fails with
// ErrNotFound (vSphere's FileNotFound). When it fails after vSphere
// began to make the VM, the VM is removed again, keeping the volumes; if
// ctx ended, that happens in the background once the creation task ends.
func (h *host) CreateVM(ctx context.Context, spec hypervisors.VMSpec) (hypervisors.VMStatus, error) {
	op := "CreateVM " + spec.ID
	if err := h.begin(ctx, op); err != nil {
		return hypervisors.VMStatus{}, err
	}
	if err := checkVMSpec(spec); err != nil {
		return hypervisors.VMStatus{}, err
	}
	existing, err := h.findVM(ctx, spec.ID)
	switch {
	case err != nil:
		return hypervisors.VMStatus{}, h.fail(ctx, op, err)
	case existing != nil:
		return hypervisors.VMStatus{}, h.fail(ctx, op, fmt.Errorf("%w: VM %s exists", hypervisors.ErrConflict, vmName(spec.ID)))
	}
	a, err := h.resolveAttachments(ctx, spec)
	if err != nil {
		return hypervisors.VMStatus{}, h.fail(ctx, op, err)
	}
	instanceUUID := uuid.NewString()
	config, err := vmConfigSpec(spec, a, instanceUUID)
	if err != nil {
		return hypervisors.VMStatus{}, err
	}
	t := &txn{h: h}
	t.onFailure(func(ctx context.Context) error { return h.removeCreatedVM(ctx, spec.ID, instanceUUID) })
	_, err = t.task(ctx, func(ctx context.Context) (*object.Task, error) {
		return object.NewFolder(h.s.vim, h.inv.vmFolder).CreateVM(ctx, config,
			object.NewResourcePool(h.s.vim, h.inv.pool), object.NewHostSystem(h.s.vim, h.inv.host))
	})
	if isFault[*types.FileNotFound](err) {
		err = fmt.Errorf("a volume of the VM does not exist: %w", err)
	}
	if err != nil {
		return hypervisors.VMStatus{}, h.fail(ctx, op, t.rollback(ctx, err))
	}
	return hypervisors.VMStatus{ID: spec.ID, Name: spec.Name, Power: hypervisors.PowerStopped, Resources: spec.Resources}, nil
}

// removeCreatedVM removes the VM a CreateVM made, if any: the VM named for
// id whose instance UUID is the one that CreateVM gave it.
func (h *host) removeCreatedVM(ctx context.Context, id, instanceUUID string) error {
	vm, err := h.findVM(ctx, id)
	if err != nil || vm == nil {
		return err
	}
	var o mo.VirtualMachine
	if err := h.s.retrieveOne(ctx, vm.Reference(), []string{"config.instanceUuid"}, &o); err != nil {
		return ignoreGone(err)
	}
	if o.Config == nil || o.Config.InstanceUuid != instanceUUID {
		return nil // another creation's
	}
	return h.removeVM(ctx, vm)
}

// ReconfigureVM sets CPU and memory of a stopped VM; a VM that is not
// stopped fails with ErrConflict (no hot resize).
func (h *host) ReconfigureVM(ctx context.Context, id string, r hypervisors.Resources) error {
	op := "ReconfigureVM " + id
	if err := h.begin(ctx, op); err != nil {
		return err
	}
	if err := hypervisors.CheckID("VM ID", id); err != nil {
		return err
	}
	if err := hypervisors.CheckResources(r); err != nil {
		return fmt.Errorf("VM %s: %w", id, err)
	}
	vm, st, err := h.vm(ctx, id)
	if err != nil {
		return h.fail(ctx, op, err)
	}
	if st.Power != hypervisors.PowerStopped {
		return h.fail(ctx, op, fmt.Errorf("%w: the VM is %s and vSphere resizes it only when stopped", hypervisors.ErrConflict, st.Power))
	}
	if err := h.resize(ctx, vm, r); err != nil {
		return h.fail(ctx, op, err)
	}
	return nil
}

// resize sets the CPU and memory of vm.
func (h *host) resize(ctx context.Context, vm *object.VirtualMachine, r hypervisors.Resources) error {
	_, err := h.runTask(ctx, func(ctx context.Context) (*object.Task, error) {
		return vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{NumCPUs: int32(r.CPUs), MemoryMB: r.MemoryMiB})
	})
	return err
}

// DestroyVM removes the VM (see removeVM); a missing VM is not an error.
func (h *host) DestroyVM(ctx context.Context, id string) error {
	op := "DestroyVM " + id
	if err := h.begin(ctx, op); err != nil {
		return err
	}
	if err := hypervisors.CheckID("VM ID", id); err != nil {
		return err
	}
	vm, err := h.findVM(ctx, id)
	if err == nil && vm != nil {
		err = h.removeVM(ctx, vm)
	}
	return h.failIf(ctx, op, err)
}

// removeVM removes vm but not its volumes: it powers it off, removes its
// snapshots (which writes their changes into the disks), detaches the
// disks and destroys the rest. vSphere's Destroy deletes the disks a VM
// still has. A VM that vanishes meanwhile counts as removed.
func (h *host) removeVM(ctx context.Context, vm *object.VirtualMachine) error {
	var o mo.VirtualMachine
	if err := h.s.retrieveOne(ctx, vm.Reference(), []string{propPower, "snapshot"}, &o); err != nil {
		return ignoreGone(err)
	}
	if o.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOff {
		if err := h.powerOff(ctx, vm); err != nil {
			return ignoreGone(err)
		}
	}
	if o.Snapshot != nil {
		if _, err := h.runTask(ctx, func(ctx context.Context) (*object.Task, error) {
			return vm.RemoveAllSnapshot(ctx, types.NewBool(true))
		}); err != nil {
			return ignoreGone(err)
		}
	}
	devices, err := vm.Device(ctx)
	if err != nil {
		return ignoreGone(err)
	}
	var detach []types.BaseVirtualDeviceConfigSpec
	for _, d := range devices.SelectByType((*types.VirtualDisk)(nil)) {
		detach = append(detach, &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationRemove, Device: d})
	}
	if len(detach) > 0 {
		if _, err := h.runTask(ctx, func(ctx context.Context) (*object.Task, error) {
			return vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{DeviceChange: detach})
		}); err != nil {
			return ignoreGone(err)
		}
	}
	_, err = h.runTask(ctx, vm.Destroy)
	return ignoreGone(err)
}

// VMStatus reports the VM; ErrNotFound when it does not exist.
func (h *host) VMStatus(ctx context.Context, id string) (hypervisors.VMStatus, error) {
	op := "VMStatus " + id
	if err := h.begin(ctx, op); err != nil {
		return hypervisors.VMStatus{}, err
	}
	if err := hypervisors.CheckID("VM ID", id); err != nil {
		return hypervisors.VMStatus{}, err
	}
	_, st, err := h.vm(ctx, id)
	if err != nil {
		return hypervisors.VMStatus{}, h.fail(ctx, op, err)
	}
	return st, nil
}

// ListVMs lists cloudcore's VMs on the host, ordered by ID: those named
// cloudcore-<UUID> whose ExtraConfig carries the same UUID. A VM removed
// while the list is read makes it read again, once.
func (h *host) ListVMs(ctx context.Context) ([]hypervisors.VMStatus, error) {
	const op = "ListVMs"
	if err := h.begin(ctx, op); err != nil {
		return nil, err
	}
	list, err := h.listVMs(ctx)
	if isFault[*types.ManagedObjectNotFound](err) {
		list, err = h.listVMs(ctx)
	}
	if err != nil {
		return nil, h.fail(ctx, op, err)
	}
	slices.SortFunc(list, func(a, b hypervisors.VMStatus) int { return cmp.Compare(a.ID, b.ID) })
	return list, nil
}

// listVMs reads the names of the host's VMs, then the status of
// cloudcore's.
func (h *host) listVMs(ctx context.Context) ([]hypervisors.VMStatus, error) {
	var hs mo.HostSystem
	if err := h.s.retrieveOne(ctx, h.inv.host, []string{"vm"}, &hs); err != nil {
		return nil, err
	}
	var named []mo.VirtualMachine
	if len(hs.Vm) > 0 {
		if err := h.s.retrieveMany(ctx, hs.Vm, []string{propName}, &named); err != nil {
			return nil, err
		}
	}
	var ours []types.ManagedObjectReference
	for _, vm := range named {
		if _, ok := idOfVMName(vm.Name); ok {
			ours = append(ours, vm.Self)
		}
	}
	statuses, err := h.statuses(ctx, ours)
	return slices.Collect(maps.Values(statuses)), err
}

// findVM returns VM id, or nil when it does not exist.
func (h *host) findVM(ctx context.Context, id string) (*object.VirtualMachine, error) {
	ref, err := h.s.findChild(ctx, h.inv.vmFolder, vmName(id))
	if err != nil || ref == nil {
		return nil, err
	}
	return object.NewVirtualMachine(h.s.vim, *ref), nil
}

// vm returns VM id and its status; ErrNotFound when it does not exist.
func (h *host) vm(ctx context.Context, id string) (*object.VirtualMachine, hypervisors.VMStatus, error) {
	vm, err := h.findVM(ctx, id)
	if err != nil {
		return nil, hypervisors.VMStatus{}, err
	}
	if vm != nil {
		statuses, err := h.statuses(ctx, []types.ManagedObjectReference{vm.Reference()})
		if ignoreGone(err) != nil {
			return nil, hypervisors.VMStatus{}, err
		}
		if st, ok := statuses[vm.Reference()]; ok {
			return vm, st, nil
		}
	}
	return nil, hypervisors.VMStatus{}, fmt.Errorf("%w: no VM %s", hypervisors.ErrNotFound, vmName(id))
}

// statuses reads the status of the VMs refs that are cloudcore's.
func (h *host) statuses(ctx context.Context, refs []types.ManagedObjectReference) (map[types.ManagedObjectReference]hypervisors.VMStatus, error) {
	out := make(map[types.ManagedObjectReference]hypervisors.VMStatus, len(refs))
	if len(refs) == 0 {
		return out, nil
	}
	props, err := h.s.retrieveRaw(ctx, refs, statusProps)
	if err != nil {
		return nil, err
	}
	for ref, p := range props {
		if st, ok := statusOf(p); ok {
			out[ref] = st
		}
	}
	return out, nil
}

// statusOf makes a VM's status of its status properties; ok is false
// unless the VM is cloudcore's.
func statusOf(p map[string]types.AnyType) (st hypervisors.VMStatus, ok bool) {
	name, _ := p[propName].(string)
	id, named := idOfVMName(name)
	if !named || optionValue(p[propID]) != id {
		return st, false
	}
	cpus, _ := p[propCPUs].(int32)
	memory, _ := p[propMemory].(int32)
	power, _ := p[propPower].(types.VirtualMachinePowerState)
	return hypervisors.VMStatus{
		ID:        id,
		Name:      optionValue(p[propDisplayName]),
		Power:     powerState(power),
		Resources: hypervisors.Resources{CPUs: int(cpus), MemoryMiB: int64(memory)},
	}, true
}

// optionValue is the string value of an ExtraConfig entry, or "".
func optionValue(v types.AnyType) string {
	var s types.AnyType
	switch o := v.(type) {
	case types.OptionValue:
		s = o.Value
	case *types.OptionValue:
		s = o.Value
	}
	str, _ := s.(string)
	return str
}

// powerState maps vSphere's power states to cloudcore's.
func powerState(s types.VirtualMachinePowerState) hypervisors.PowerState {
	switch s {
	case types.VirtualMachinePowerStatePoweredOn:
		return hypervisors.PowerRunning
	case types.VirtualMachinePowerStatePoweredOff:
		return hypervisors.PowerStopped
	case types.VirtualMachinePowerStateSuspended:
		return hypervisors.PowerPaused
	}
	return hypervisors.PowerUnknown
}

// ignoreGone is err, or nil when err says the object is gone
// (ManagedObjectNotFound): for removals, which succeed then.
func ignoreGone(err error) error {
	if isFault[*types.ManagedObjectNotFound](err) {
		return nil
	}
	return err
}
