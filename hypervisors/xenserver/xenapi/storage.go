package xenapi

import "context"

// SRRecord is the part of a storage repository record the driver reads.
type SRRecord struct {
	UUID      string `json:"uuid"`
	NameLabel string `json:"name_label"`
	Type      string `json:"type"` // the storage backend, e.g. "lvm", "ext", "nfs"
	// PhysicalSize is the SR's size, PhysicalUtilisation how much of it is
	// used and VirtualAllocation the sum of its VDIs' virtual sizes, in
	// bytes.
	PhysicalSize        Int               `json:"physical_size"`
	PhysicalUtilisation Int               `json:"physical_utilisation"`
	VirtualAllocation   Int               `json:"virtual_allocation"`
	VDIs                []VDIRef          `json:"VDIs"`
	OtherConfig         map[string]string `json:"other_config"`
}

// SRClass groups the calls of class SR.
type SRClass struct{ c *Client }

// GetAllRecords returns every SR by reference (SR.get_all_records).
func (s SRClass) GetAllRecords(ctx context.Context) (map[SRRef]SRRecord, error) {
	return call[map[SRRef]SRRecord](ctx, s.c, "SR.get_all_records")
}

// VDITypeUser is the type of a disk VDISpec makes for a VM (enum vdi_type).
const VDITypeUser = "user"

// VDISpec is the record VDI.create takes.
type VDISpec struct {
	NameLabel       string            `json:"name_label"`
	NameDescription string            `json:"name_description"`
	SR              SRRef             `json:"SR"`
	VirtualSize     Int               `json:"virtual_size"` // bytes
	Type            string            `json:"type"`         // VDITypeUser for VM disks
	Sharable        bool              `json:"sharable"`
	ReadOnly        bool              `json:"read_only"`
	OtherConfig     map[string]string `json:"other_config"`
}

// VDIRecord is the part of a virtual disk record the driver reads.
type VDIRecord struct {
	UUID                string            `json:"uuid"`
	NameLabel           string            `json:"name_label"`
	SR                  SRRef             `json:"SR"`
	VirtualSize         Int               `json:"virtual_size"`         // bytes the VM sees
	PhysicalUtilisation Int               `json:"physical_utilisation"` // bytes used on the SR
	ReadOnly            bool              `json:"read_only"`
	OtherConfig         map[string]string `json:"other_config"`
	VBDs                []VBDRef          `json:"VBDs"`
	IsASnapshot         bool              `json:"is_a_snapshot"`
}

// VDIClass groups the calls of class VDI.
type VDIClass struct{ c *Client }

// Create makes an empty virtual disk (VDI.create). A nil OtherConfig is
// sent as an empty map. The SR may refuse, e.g. with SR_FULL.
func (v VDIClass) Create(ctx context.Context, spec VDISpec) (VDIRef, error) {
	spec.OtherConfig = orEmpty(spec.OtherConfig)
	return call[VDIRef](ctx, v.c, "VDI.create", spec)
}

// CopyInto writes the content of disk vdi into the existing disk into, as
// a task (Async.VDI.copy with its later parameters: a null SR and base
// disk, into_vdi). Documented errors: VDI_TOO_SMALL when into is smaller,
// VDI_READONLY.
func (v VDIClass) CopyInto(ctx context.Context, vdi, into VDIRef) error {
	_, err := v.c.CallAsync(ctx, "VDI.copy", vdi, SRRef(NullRef), VDIRef(NullRef), into)
	return err
}

// Resize sets the disk's virtual size to size bytes (VDI.resize). The API
// reference lists no specific errors; the storage backend decides whether
// a disk may shrink or be resized while in use.
func (v VDIClass) Resize(ctx context.Context, vdi VDIRef, size int64) error {
	return v.c.Call(ctx, "VDI.resize", nil, vdi, Int(size))
}

// Destroy deletes the disk and its data (VDI.destroy); HANDLE_INVALID when
// it is gone already. The API reference lists no specific errors; the
// server refuses while the disk is attached to a running VM.
func (v VDIClass) Destroy(ctx context.Context, vdi VDIRef) error {
	return v.c.Call(ctx, "VDI.destroy", nil, vdi)
}

// GetRecord returns the disk's record (VDI.get_record); HANDLE_INVALID when
// there is no such disk.
func (v VDIClass) GetRecord(ctx context.Context, vdi VDIRef) (VDIRecord, error) {
	return call[VDIRecord](ctx, v.c, "VDI.get_record", vdi)
}

// GetByUUID returns the disk with the given UUID (VDI.get_by_uuid);
// UUID_INVALID when there is none.
func (v VDIClass) GetByUUID(ctx context.Context, uuid string) (VDIRef, error) {
	return call[VDIRef](ctx, v.c, "VDI.get_by_uuid", uuid)
}

// GetByNameLabel returns the disks named label (VDI.get_by_name_label);
// none is an empty list, not an error.
func (v VDIClass) GetByNameLabel(ctx context.Context, label string) ([]VDIRef, error) {
	return call[[]VDIRef](ctx, v.c, "VDI.get_by_name_label", label)
}

// SetNameLabel renames the disk (VDI.set_name_label).
func (v VDIClass) SetNameLabel(ctx context.Context, vdi VDIRef, label string) error {
	return v.c.Call(ctx, "VDI.set_name_label", nil, vdi, label)
}

// GetAllRecords returns every disk by reference (VDI.get_all_records).
func (v VDIClass) GetAllRecords(ctx context.Context) (map[VDIRef]VDIRecord, error) {
	return call[map[VDIRef]VDIRecord](ctx, v.c, "VDI.get_all_records")
}
