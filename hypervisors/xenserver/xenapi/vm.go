package xenapi

import "context"

// VM power states (enum vm_power_state).
const (
	PowerHalted    = "Halted"
	PowerPaused    = "Paused"
	PowerRunning   = "Running"
	PowerSuspended = "Suspended"
)

// VMRecord is the part of a VM record the driver reads. Templates and
// snapshots are VMs too (IsATemplate, IsASnapshot).
type VMRecord struct {
	UUID            string `json:"uuid"`
	NameLabel       string `json:"name_label"`
	NameDescription string `json:"name_description"`
	PowerState      string `json:"power_state"` // PowerHalted, PowerRunning, ...
	IsATemplate     bool   `json:"is_a_template"`
	IsASnapshot     bool   `json:"is_a_snapshot"`
	// SnapshotOf is, for a snapshot, the VM it was taken of.
	SnapshotOf VMRef   `json:"snapshot_of"`
	Snapshots  []VMRef `json:"snapshots"`
	// SnapshotTime is, for a snapshot, when it was taken, as XenAPI writes
	// datetimes (ISO 8601, e.g. "20240131T10:20:30Z").
	SnapshotTime string `json:"snapshot_time"`
	// ResidentOn is the host the VM runs on, NullRef while it is halted.
	ResidentOn HostRef `json:"resident_on"`
	// Memory limits in bytes: static_min ≤ dynamic_min ≤ dynamic_max ≤
	// static_max.
	MemoryStaticMin  Int               `json:"memory_static_min"`
	MemoryStaticMax  Int               `json:"memory_static_max"`
	MemoryDynamicMin Int               `json:"memory_dynamic_min"`
	MemoryDynamicMax Int               `json:"memory_dynamic_max"`
	VCPUsMax         Int               `json:"VCPUs_max"`
	VCPUsAtStartup   Int               `json:"VCPUs_at_startup"`
	VBDs             []VBDRef          `json:"VBDs"`
	VIFs             []VIFRef          `json:"VIFs"`
	OtherConfig      map[string]string `json:"other_config"`
	// SuspendVDI holds the memory image of a suspended VM or of a
	// checkpoint; NullRef otherwise.
	SuspendVDI VDIRef `json:"suspend_VDI"`
	// Affinity is the host the VM prefers to start on; NullRef for none.
	Affinity        HostRef `json:"affinity"`
	IsControlDomain bool    `json:"is_control_domain"`
}

// VMClass groups the calls of class VM. Every call taking a VM returns
// HANDLE_INVALID when there is no such VM.
type VMClass struct{ c *Client }

// GetAllRecords returns every VM, template, snapshot and control domain by
// reference (VM.get_all_records).
func (v VMClass) GetAllRecords(ctx context.Context) (map[VMRef]VMRecord, error) {
	return call[map[VMRef]VMRecord](ctx, v.c, "VM.get_all_records")
}

// GetRecord returns the VM's record (VM.get_record).
func (v VMClass) GetRecord(ctx context.Context, vm VMRef) (VMRecord, error) {
	return call[VMRecord](ctx, v.c, "VM.get_record", vm)
}

// GetByNameLabel returns the VMs, templates and snapshots named label
// (VM.get_by_name_label); none is an empty list, not an error.
func (v VMClass) GetByNameLabel(ctx context.Context, label string) ([]VMRef, error) {
	return call[[]VMRef](ctx, v.c, "VM.get_by_name_label", label)
}

// SetAffinity sets the host the VM prefers to start on (VM.set_affinity).
func (v VMClass) SetAffinity(ctx context.Context, vm VMRef, host HostRef) error {
	return v.c.Call(ctx, "VM.set_affinity", nil, vm, host)
}

// Unpause resumes the paused VM (VM.unpause); VM_BAD_POWER_STATE unless
// it is paused.
func (v VMClass) Unpause(ctx context.Context, vm VMRef) error {
	return v.c.Call(ctx, "VM.unpause", nil, vm)
}

// Resume resumes the suspended VM, as a task (Async.VM.resume). The VM must
// be suspended: VM_BAD_POWER_STATE otherwise.
func (v VMClass) Resume(ctx context.Context, vm VMRef, startPaused, force bool) error {
	_, err := v.c.CallAsync(ctx, "VM.resume", vm, startPaused, force)
	return err
}

// Clone copies the VM or template, with fast copies of its disks where the
// storage allows, into a new VM named newName, as a task (Async.VM.clone;
// see Client.CallAsync). The VM must be halted: VM_BAD_POWER_STATE
// otherwise; SR_FULL, OPERATION_NOT_ALLOWED, LICENCE_RESTRICTION are the
// other documented errors.
func (v VMClass) Clone(ctx context.Context, vm VMRef, newName string) (VMRef, error) {
	return callAsync[VMRef](ctx, v.c, "VM.clone", vm, newName)
}

// Provision creates the disks a template's other_config "disks" entry
// describes, as a task (Async.VM.provision). Documented errors:
// VM_BAD_POWER_STATE, SR_FULL, OPERATION_NOT_ALLOWED, LICENCE_RESTRICTION.
func (v VMClass) Provision(ctx context.Context, vm VMRef) error {
	_, err := v.c.CallAsync(ctx, "VM.provision", vm)
	return err
}

// SetIsATemplate makes the VM a template or an ordinary VM
// (VM.set_is_a_template).
func (v VMClass) SetIsATemplate(ctx context.Context, vm VMRef, value bool) error {
	return v.c.Call(ctx, "VM.set_is_a_template", nil, vm, value)
}

// SetNameDescription sets the VM's description (VM.set_name_description).
func (v VMClass) SetNameDescription(ctx context.Context, vm VMRef, value string) error {
	return v.c.Call(ctx, "VM.set_name_description", nil, vm, value)
}

// AddToOtherConfig adds key=value to the VM's other_config
// (VM.add_to_other_config); MAP_DUPLICATE_KEY when key is there already.
func (v VMClass) AddToOtherConfig(ctx context.Context, vm VMRef, key, value string) error {
	return v.c.Call(ctx, "VM.add_to_other_config", nil, vm, key, value)
}

// RemoveFromOtherConfig removes key from the VM's other_config, if there
// (VM.remove_from_other_config).
func (v VMClass) RemoveFromOtherConfig(ctx context.Context, vm VMRef, key string) error {
	return v.c.Call(ctx, "VM.remove_from_other_config", nil, vm, key)
}

// SetMemoryLimits sets the four memory limits, in bytes, in one call
// (VM.set_memory_limits); they must satisfy static_min ≤ dynamic_min ≤
// dynamic_max ≤ static_max.
func (v VMClass) SetMemoryLimits(ctx context.Context, vm VMRef, staticMin, staticMax, dynamicMin, dynamicMax int64) error {
	return v.c.Call(ctx, "VM.set_memory_limits", nil, vm,
		Int(staticMin), Int(staticMax), Int(dynamicMin), Int(dynamicMax))
}

// SetVCPUsMax sets the most vCPUs the VM can have (VM.set_VCPUs_max); the
// VM must be halted.
func (v VMClass) SetVCPUsMax(ctx context.Context, vm VMRef, value int64) error {
	return v.c.Call(ctx, "VM.set_VCPUs_max", nil, vm, Int(value))
}

// SetVCPUsAtStartup sets how many vCPUs the VM boots with
// (VM.set_VCPUs_at_startup); at most VCPUs_max.
func (v VMClass) SetVCPUsAtStartup(ctx context.Context, vm VMRef, value int64) error {
	return v.c.Call(ctx, "VM.set_VCPUs_at_startup", nil, vm, Int(value))
}

// StartOn starts the halted VM on host, as a task (Async.VM.start_on).
// Documented errors: VM_BAD_POWER_STATE, VM_IS_TEMPLATE,
// OTHER_OPERATION_IN_PROGRESS, OPERATION_NOT_ALLOWED, BOOTLOADER_FAILED,
// UNKNOWN_BOOTLOADER.
func (v VMClass) StartOn(ctx context.Context, vm VMRef, host HostRef, startPaused, force bool) error {
	_, err := v.c.CallAsync(ctx, "VM.start_on", vm, host, startPaused, force)
	return err
}

// CleanShutdown asks the running VM's guest to shut down and waits for it,
// as a task (Async.VM.clean_shutdown). Documented errors:
// VM_BAD_POWER_STATE, OTHER_OPERATION_IN_PROGRESS, OPERATION_NOT_ALLOWED,
// VM_IS_TEMPLATE.
func (v VMClass) CleanShutdown(ctx context.Context, vm VMRef) error {
	_, err := v.c.CallAsync(ctx, "VM.clean_shutdown", vm)
	return err
}

// HardShutdown stops the VM at once, as a task (Async.VM.hard_shutdown);
// errors as CleanShutdown.
func (v VMClass) HardShutdown(ctx context.Context, vm VMRef) error {
	_, err := v.c.CallAsync(ctx, "VM.hard_shutdown", vm)
	return err
}

// CleanReboot asks the running VM's guest to reboot, as a task
// (Async.VM.clean_reboot); errors as CleanShutdown.
func (v VMClass) CleanReboot(ctx context.Context, vm VMRef) error {
	_, err := v.c.CallAsync(ctx, "VM.clean_reboot", vm)
	return err
}

// Destroy deletes the VM's record and its VBDs and VIFs (VM.destroy). Its
// disks stay: destroy them separately. The VM must be halted.
func (v VMClass) Destroy(ctx context.Context, vm VMRef) error {
	return v.c.Call(ctx, "VM.destroy", nil, vm)
}

// Snapshot takes a disk-only snapshot of the VM named newName, as a task
// (Async.VM.snapshot), and returns the snapshot. Documented errors:
// VM_BAD_POWER_STATE, SR_FULL, OPERATION_NOT_ALLOWED.
func (v VMClass) Snapshot(ctx context.Context, vm VMRef, newName string) (VMRef, error) {
	return callAsync[VMRef](ctx, v.c, "VM.snapshot", vm, newName)
}

// Checkpoint takes a snapshot of the running VM's disks and memory named
// newName, as a task (Async.VM.checkpoint), and returns the snapshot.
// Documented errors: VM_BAD_POWER_STATE, SR_FULL, OPERATION_NOT_ALLOWED,
// VM_CHECKPOINT_SUSPEND_FAILED, VM_CHECKPOINT_RESUME_FAILED.
func (v VMClass) Checkpoint(ctx context.Context, vm VMRef, newName string) (VMRef, error) {
	return callAsync[VMRef](ctx, v.c, "VM.checkpoint", vm, newName)
}

// Revert returns the VM a snapshot was taken of to the snapshot's state,
// as a task (Async.VM.revert). The VM keeps its UUID and reference; its
// disks are replaced by clones of the snapshot's. Documented errors:
// VM_BAD_POWER_STATE, OPERATION_NOT_ALLOWED, SR_FULL, VM_REVERT_FAILED.
func (v VMClass) Revert(ctx context.Context, snapshot VMRef) error {
	_, err := v.c.CallAsync(ctx, "VM.revert", snapshot)
	return err
}
