package xenapi

import "context"

// VBD modes and types (enums vbd_mode, vbd_type).
const (
	VBDModeRW   = "RW"
	VBDModeRO   = "RO"
	VBDTypeDisk = "Disk"
	VBDTypeCD   = "CD"
)

// VBDSpec is the record VBD.create takes: it plugs a disk (or an empty CD
// drive) into a VM.
type VBDSpec struct {
	VM  VMRef  `json:"VM"`
	VDI VDIRef `json:"VDI"` // NullRef for an empty CD drive
	// UserDevice is the device number the guest sees, "0" for the first
	// disk.
	UserDevice         string            `json:"userdevice"`
	Bootable           bool              `json:"bootable"`
	Mode               string            `json:"mode"` // VBDModeRW or VBDModeRO
	Type               string            `json:"type"` // VBDTypeDisk or VBDTypeCD
	Empty              bool              `json:"empty"`
	OtherConfig        map[string]string `json:"other_config"`
	QoSAlgorithmType   string            `json:"qos_algorithm_type"`
	QoSAlgorithmParams map[string]string `json:"qos_algorithm_params"`
}

// VBDRecord is the part of a VBD record the driver reads.
type VBDRecord struct {
	UUID              string            `json:"uuid"`
	VM                VMRef             `json:"VM"`
	VDI               VDIRef            `json:"VDI"`
	Device            string            `json:"device"` // e.g. "xvda", set while attached
	UserDevice        string            `json:"userdevice"`
	Bootable          bool              `json:"bootable"`
	Mode              string            `json:"mode"`
	Type              string            `json:"type"`
	Empty             bool              `json:"empty"`
	CurrentlyAttached bool              `json:"currently_attached"`
	OtherConfig       map[string]string `json:"other_config"`
}

// VBDClass groups the calls of class VBD.
type VBDClass struct{ c *Client }

// Create plugs a disk into a VM (VBD.create); nil maps are sent as empty
// ones. On a halted VM the disk is attached at the next start.
func (b VBDClass) Create(ctx context.Context, spec VBDSpec) (VBDRef, error) {
	spec.OtherConfig = orEmpty(spec.OtherConfig)
	spec.QoSAlgorithmParams = orEmpty(spec.QoSAlgorithmParams)
	return call[VBDRef](ctx, b.c, "VBD.create", spec)
}

// GetRecord returns the VBD's record (VBD.get_record); HANDLE_INVALID when
// there is no such VBD.
func (b VBDClass) GetRecord(ctx context.Context, vbd VBDRef) (VBDRecord, error) {
	return call[VBDRecord](ctx, b.c, "VBD.get_record", vbd)
}

// VIFSpec is the record VIF.create takes: it connects a VM to a network.
type VIFSpec struct {
	// Device is the interface's order on the VM, "0" for the first.
	Device  string     `json:"device"`
	Network NetworkRef `json:"network"`
	VM      VMRef      `json:"VM"`
	// MAC is the interface's address; XenAPI picks one when it is empty.
	MAC                string            `json:"MAC"`
	MTU                Int               `json:"MTU"`
	OtherConfig        map[string]string `json:"other_config"`
	QoSAlgorithmType   string            `json:"qos_algorithm_type"`
	QoSAlgorithmParams map[string]string `json:"qos_algorithm_params"`
}

// VIFRecord is the part of a VIF record the driver reads.
type VIFRecord struct {
	UUID              string     `json:"uuid"`
	Device            string     `json:"device"`
	Network           NetworkRef `json:"network"`
	VM                VMRef      `json:"VM"`
	MAC               string     `json:"MAC"`
	CurrentlyAttached bool       `json:"currently_attached"`
}

// VIFClass groups the calls of class VIF.
type VIFClass struct{ c *Client }

// Create connects a VM to a network (VIF.create); nil maps are sent as
// empty ones. On a running VM the interface is attached by Plug.
func (f VIFClass) Create(ctx context.Context, spec VIFSpec) (VIFRef, error) {
	spec.OtherConfig = orEmpty(spec.OtherConfig)
	spec.QoSAlgorithmParams = orEmpty(spec.QoSAlgorithmParams)
	return call[VIFRef](ctx, f.c, "VIF.create", spec)
}

// Destroy removes the VIF (VIF.destroy); HANDLE_INVALID when it is gone
// already. Unplug it first from a running VM.
func (f VIFClass) Destroy(ctx context.Context, vif VIFRef) error {
	return f.c.Call(ctx, "VIF.destroy", nil, vif)
}

// Plug hot-plugs the VIF into its running VM (VIF.plug).
func (f VIFClass) Plug(ctx context.Context, vif VIFRef) error {
	return f.c.Call(ctx, "VIF.plug", nil, vif)
}

// Unplug hot-unplugs the VIF from its running VM (VIF.unplug).
func (f VIFClass) Unplug(ctx context.Context, vif VIFRef) error {
	return f.c.Call(ctx, "VIF.unplug", nil, vif)
}

// GetRecord returns the VIF's record (VIF.get_record); HANDLE_INVALID when
// there is no such VIF.
func (f VIFClass) GetRecord(ctx context.Context, vif VIFRef) (VIFRecord, error) {
	return call[VIFRecord](ctx, f.c, "VIF.get_record", vif)
}
