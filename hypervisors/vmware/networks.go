package vmware

import (
	"context"
	"fmt"
	"slices"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// maxVLAN is the highest VLAN ID a portgroup takes (4095 means all VLANs).
const maxVLAN = 4094

// portgroup is the portgroup of a guest network on the host.
type portgroup struct {
	name    string
	ref     *types.ManagedObjectReference // the DistributedVirtualPortgroup; nil for a standard one
	vlan    int
	backing types.BaseVirtualDeviceBackingInfo // of a NIC on it
}

// EnsureNetwork makes the portgroup cloudcore-<ID> with the network's VLAN:
// on the distributed switch when the connection has one, else on the
// host's standard vSwitch. A portgroup that exists with another VLAN
// fails with ErrConflict.
func (h *host) EnsureNetwork(ctx context.Context, n hypervisors.NetworkSpec) error {
	op := "EnsureNetwork " + n.ID
	if err := h.begin(ctx, op); err != nil {
		return err
	}
	if err := hypervisors.CheckID("network ID", n.ID); err != nil {
		return err
	}
	if n.VLAN < 0 || n.VLAN > maxVLAN {
		return fmt.Errorf("%w: network %s: VLAN %d is not from 0 (untagged) to %d", hypervisors.ErrInvalid, n.ID, n.VLAN, maxVLAN)
	}
	pg, err := h.findPortgroup(ctx, n.ID)
	if err == nil && pg == nil {
		if addErr := h.addPortgroup(ctx, n); addErr != nil {
			// Another call may have made it meanwhile.
			if pg, err = h.findPortgroup(ctx, n.ID); err == nil && pg == nil {
				err = addErr
			}
		}
	}
	switch {
	case err != nil:
		return h.fail(ctx, op, err)
	case pg != nil && pg.vlan != n.VLAN:
		return h.fail(ctx, op, fmt.Errorf("%w: portgroup %s exists with VLAN %d, not %d", hypervisors.ErrConflict, pg.name, pg.vlan, n.VLAN))
	}
	return nil
}

// RemoveNetwork removes the network's portgroup; a missing one is not an
// error. It fails with ErrConflict while a VM has a NIC on it.
func (h *host) RemoveNetwork(ctx context.Context, networkID string) error {
	op := "RemoveNetwork " + networkID
	if err := h.begin(ctx, op); err != nil {
		return err
	}
	if err := hypervisors.CheckID("network ID", networkID); err != nil {
		return err
	}
	h.portgroups.Delete(networkID)
	pg, err := h.findPortgroup(ctx, networkID)
	if err != nil || pg == nil {
		return h.failIf(ctx, op, err)
	}
	network := pg.ref
	if network == nil {
		if network, err = h.s.findChild(ctx, h.inv.networkFolder, pg.name); err != nil {
			return h.fail(ctx, op, err)
		}
	}
	var users []string
	if network != nil { // else the host has the portgroup but vSphere lists no network for it
		if users, err = h.vmsOn(ctx, *network); err != nil {
			return h.fail(ctx, op, err)
		}
	}
	if len(users) > 0 {
		return h.fail(ctx, op, fmt.Errorf("%w: portgroup %s is in use by %d VM(s): %v", hypervisors.ErrConflict, pg.name, len(users), users))
	}
	if pg.ref != nil {
		_, err = h.runTask(ctx, object.NewDistributedVirtualPortgroup(h.s.vim, *pg.ref).Destroy)
	} else {
		_, err = methods.RemovePortGroup(ctx, h.s.vim, &types.RemovePortGroup{This: h.inv.networkSystem, PgName: pg.name})
	}
	if isFault[*types.NotFound](err) || isFault[*types.ManagedObjectNotFound](err) {
		err = nil // removed meanwhile
	}
	return h.failIf(ctx, op, err)
}

// nicPortgroup returns the portgroup of network networkID for a NIC, or
// nil. It remembers the portgroups it found until RemoveNetwork removes
// them: a portgroup removed behind the driver's back makes vSphere refuse
// the NIC instead.
func (h *host) nicPortgroup(ctx context.Context, networkID string) (*portgroup, error) {
	if pg, ok := h.portgroups.Load(networkID); ok {
		return pg.(*portgroup), nil
	}
	pg, err := h.findPortgroup(ctx, networkID)
	if pg != nil {
		h.portgroups.Store(networkID, pg)
	}
	return pg, err
}

// findPortgroup returns the portgroup of network networkID, or nil.
func (h *host) findPortgroup(ctx context.Context, networkID string) (*portgroup, error) {
	name := portgroupName(networkID)
	if h.inv.dvs != nil {
		return h.findDistributedPortgroup(ctx, name)
	}
	var ns mo.HostNetworkSystem
	if err := h.s.retrieveOne(ctx, h.inv.networkSystem, []string{"networkInfo.portgroup"}, &ns); err != nil {
		return nil, err
	}
	i := slices.IndexFunc(ns.NetworkInfo.Portgroup, func(pg types.HostPortGroup) bool { return pg.Spec.Name == name })
	if i < 0 {
		return nil, nil
	}
	return &portgroup{
		name:    name,
		vlan:    int(ns.NetworkInfo.Portgroup[i].Spec.VlanId),
		backing: &types.VirtualEthernetCardNetworkBackingInfo{VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: name}},
	}, nil
}

// findDistributedPortgroup returns the portgroup named name on the
// connection's distributed switch, or nil.
func (h *host) findDistributedPortgroup(ctx context.Context, name string) (*portgroup, error) {
	ref, err := h.s.findChild(ctx, h.inv.dvs.folder, name)
	if err != nil || ref == nil {
		return nil, err
	}
	var o mo.DistributedVirtualPortgroup
	if err := h.s.retrieveOne(ctx, *ref, []string{"key", "config.defaultPortConfig"}, &o); err != nil {
		return nil, err
	}
	pg := &portgroup{
		name: name,
		ref:  ref,
		backing: &types.VirtualEthernetCardDistributedVirtualPortBackingInfo{
			Port: types.DistributedVirtualSwitchPortConnection{SwitchUuid: h.inv.dvs.uuid, PortgroupKey: o.Key},
		},
	}
	if setting, ok := o.Config.DefaultPortConfig.(*types.VMwareDVSPortSetting); ok {
		if id, ok := setting.Vlan.(*types.VmwareDistributedVirtualSwitchVlanIdSpec); ok {
			pg.vlan = int(id.VlanId)
		}
	}
	return pg, nil
}

// addPortgroup adds network n's portgroup.
func (h *host) addPortgroup(ctx context.Context, n hypervisors.NetworkSpec) error {
	name := portgroupName(n.ID)
	if h.inv.dvs != nil {
		spec := types.DVPortgroupConfigSpec{
			Name:        name,
			Description: n.Name,
			Type:        string(types.DistributedVirtualPortgroupPortgroupTypeEarlyBinding),
			NumPorts:    8,
			AutoExpand:  types.NewBool(true),
			DefaultPortConfig: &types.VMwareDVSPortSetting{
				Vlan: &types.VmwareDistributedVirtualSwitchVlanIdSpec{VlanId: int32(n.VLAN)},
			},
		}
		_, err := h.runTask(ctx, func(ctx context.Context) (*object.Task, error) {
			return object.NewDistributedVirtualSwitch(h.s.vim, h.inv.dvs.ref).AddPortgroup(ctx, []types.DVPortgroupConfigSpec{spec})
		})
		return err
	}
	_, err := methods.AddPortGroup(ctx, h.s.vim, &types.AddPortGroup{This: h.inv.networkSystem, Portgrp: types.HostPortGroupSpec{
		Name:        name,
		VlanId:      int32(n.VLAN),
		VswitchName: h.cfg.vswitch,
		Policy:      types.HostNetworkPolicy{},
	}})
	if isFault[*types.NotFound](err) {
		return fmt.Errorf("%w: the host has no vSwitch %q (set vswitch=<name> in the host URL): %w", hypervisors.ErrNotFound, h.cfg.vswitch, err)
	}
	return err
}

// vmsOn returns the names of the VMs in the datacenter with a NIC on
// network ref.
func (h *host) vmsOn(ctx context.Context, ref types.ManagedObjectReference) ([]string, error) {
	var vms []mo.VirtualMachine
	if err := h.s.retrieveIn(ctx, h.inv.vmFolder, []string{"VirtualMachine"}, []string{"name", "network"}, &vms); err != nil {
		return nil, err
	}
	var names []string
	for _, vm := range vms {
		if slices.Contains(vm.Network, ref) {
			names = append(names, vm.Name)
		}
	}
	return names, nil
}

// failIf is fail for an error that may be nil.
func (h *host) failIf(ctx context.Context, what string, err error) error {
	if err == nil {
		return nil
	}
	return h.fail(ctx, what, err)
}
