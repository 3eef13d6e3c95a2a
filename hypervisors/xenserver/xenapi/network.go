package xenapi

import "context"

// NetworkSpec is the record network.create takes.
type NetworkSpec struct {
	NameLabel       string            `json:"name_label"`
	NameDescription string            `json:"name_description"`
	MTU             Int               `json:"MTU"`
	OtherConfig     map[string]string `json:"other_config"`
}

// NetworkRecord is the part of a network record the driver reads.
type NetworkRecord struct {
	UUID        string            `json:"uuid"`
	NameLabel   string            `json:"name_label"`
	Bridge      string            `json:"bridge"` // the bridge on each host, e.g. "xenbr0"
	PIFs        []PIFRef          `json:"PIFs"`
	VIFs        []VIFRef          `json:"VIFs"`
	OtherConfig map[string]string `json:"other_config"`
}

// NetworkClass groups the calls of class network.
type NetworkClass struct{ c *Client }

// Create makes a network (network.create); a nil OtherConfig is sent as an
// empty map. A network without PIFs is internal to each host; connect it to
// a VLAN on a host with VLAN.Create.
func (n NetworkClass) Create(ctx context.Context, spec NetworkSpec) (NetworkRef, error) {
	spec.OtherConfig = orEmpty(spec.OtherConfig)
	return call[NetworkRef](ctx, n.c, "network.create", spec)
}

// Destroy deletes the network (network.destroy); HANDLE_INVALID when it is
// gone already. Destroy its VLANs first.
func (n NetworkClass) Destroy(ctx context.Context, network NetworkRef) error {
	return n.c.Call(ctx, "network.destroy", nil, network)
}

// GetByNameLabel returns the networks named label
// (network.get_by_name_label); none is an empty list, not an error.
func (n NetworkClass) GetByNameLabel(ctx context.Context, label string) ([]NetworkRef, error) {
	return call[[]NetworkRef](ctx, n.c, "network.get_by_name_label", label)
}

// GetRecord returns the network's record (network.get_record);
// HANDLE_INVALID when there is no such network.
func (n NetworkClass) GetRecord(ctx context.Context, network NetworkRef) (NetworkRecord, error) {
	return call[NetworkRecord](ctx, n.c, "network.get_record", network)
}

// PIFRecord is the part of a PIF (a host's network interface, physical or
// VLAN) record the driver reads.
type PIFRecord struct {
	UUID       string     `json:"uuid"`
	Device     string     `json:"device"` // e.g. "eth0"
	Host       HostRef    `json:"host"`
	Network    NetworkRef `json:"network"`
	VLAN       Int        `json:"VLAN"`     // the VLAN tag, -1 for an untagged interface
	Physical   bool       `json:"physical"` // a NIC, not a VLAN or bond
	Management bool       `json:"management"`
	// VLANMasterOf is, for a VLAN interface, the VLAN object that made it
	// (destroy it with VLAN.destroy); NullRef otherwise.
	VLANMasterOf VLANRef `json:"VLAN_master_of"`
}

// PIFClass groups the calls of class PIF.
type PIFClass struct{ c *Client }

// GetRecord returns the interface's record (PIF.get_record);
// HANDLE_INVALID when there is no such interface.
func (p PIFClass) GetRecord(ctx context.Context, pif PIFRef) (PIFRecord, error) {
	return call[PIFRecord](ctx, p.c, "PIF.get_record", pif)
}

// GetAllRecords returns every PIF of every host by reference
// (PIF.get_all_records).
func (p PIFClass) GetAllRecords(ctx context.Context) (map[PIFRef]PIFRecord, error) {
	return call[map[PIFRef]PIFRecord](ctx, p.c, "PIF.get_all_records")
}

// VLANClass groups the calls of class VLAN.
type VLANClass struct{ c *Client }

// Create tags traffic on one host's PIF taggedPIF with tag and delivers it
// untagged to network (VLAN.create), returning the VLAN.
func (v VLANClass) Create(ctx context.Context, taggedPIF PIFRef, tag int64, network NetworkRef) (VLANRef, error) {
	return call[VLANRef](ctx, v.c, "VLAN.create", taggedPIF, Int(tag), network)
}

// Destroy removes the VLAN (VLAN.destroy); HANDLE_INVALID when it is gone
// already.
func (v VLANClass) Destroy(ctx context.Context, vlan VLANRef) error {
	return v.c.Call(ctx, "VLAN.destroy", nil, vlan)
}
