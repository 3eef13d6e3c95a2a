package cloudcore

import (
	"context"
	"fmt"
	"strings"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// AttachNIC adds a NIC on network req.NetworkID to the instance, running
// (hot-plug) or stopped, with the address and MAC req asks for or IPAM's
// next ones, and returns the instance with the NIC last in its list.
//
// The instance must be placed on a host whose driver has NIC hot-plug
// (ErrNotSupported otherwise), must not be on that network already, and
// must have no snapshots: a revert would bring back the NICs it had, so,
// as in CloudStack, delete them first (ErrConflict). Bad input is a
// *FieldError naming network_id, ip_address or mac_address, and writes
// nothing. When the host refuses the NIC its address is freed again; a
// crash in between is rolled back by recovery.
func (s *InstanceService) AttachNIC(ctx context.Context, id string, req NICRequest) (*Instance, error) {
	c := s.c
	return c.runNICOp(ctx, id, op{
		name: "instance.nic.attach",
		begin: func(tx store.Tx, inst *Instance, in *intent) (bool, error) {
			field := fmt.Sprintf("network[%d]", len(inst.NICs))
			n, err := readNICNetwork(ctx, tx, inst.ZoneID, field, req)
			if err != nil {
				return false, err
			}
			for _, nic := range inst.NICs {
				if nic.NetworkID == n.net.ID {
					return false, invalid(field+".network_id", "the instance has a NIC on network %s already; attach each network once", n.net.Name)
				}
			}
			nic, err := c.allocateNIC(ctx, tx, inst, len(inst.NICs), n.net, n.plan, n.ip, n.mac)
			if err != nil {
				return false, err
			}
			inst.NICs = append(inst.NICs, nic)
			in.MAC = nic.MAC
			return false, nil
		},
		act: func(ctx context.Context, h hypervisors.Host, inst *Instance, in intent) error {
			i := inst.nicIndex(in.MAC)
			net, err := c.Networks.Get(ctx, inst.NICs[i].NetworkID)
			if err != nil {
				return err
			}
			hp, err := nicHotplug(h, inst)
			if err != nil {
				return err
			}
			if err := h.EnsureNetwork(ctx, net.spec()); err != nil {
				return fmt.Errorf("setting up network %s: %w", net.Name, err)
			}
			return hp.AttachNIC(ctx, inst.ID, inst.NICs[i].on(net))
		},
		end: func(store.Tx, *Instance, intent) error { return nil },
		undo: func(tx store.Tx, inst *Instance, in intent, _ error) error {
			return dropNIC(ctx, tx, inst, in.MAC)
		},
	})
}

// DetachNIC removes the instance's NIC with MAC mac, running (hot-unplug)
// or stopped, frees its address and returns the instance. The instance
// keeps at least one NIC; its other conditions are those of AttachNIC. A
// running guest must release the NIC: when it does not, the NIC stays and
// DetachNIC fails with the driver's error.
func (s *InstanceService) DetachNIC(ctx context.Context, id, mac string) (*Instance, error) {
	return s.c.runNICOp(ctx, id, op{
		name: "instance.nic.detach",
		begin: func(tx store.Tx, inst *Instance, in *intent) (bool, error) {
			i := inst.nicIndex(mac)
			switch {
			case i < 0:
				return false, fieldErr(ErrNotFound, "mac_address", "instance %s has no NIC with MAC %q", inst.Name, mac)
			case len(inst.NICs) == 1:
				return false, invalid("mac_address", "%s is the only NIC of instance %s; an instance keeps at least one", mac, inst.Name)
			}
			in.MAC = inst.NICs[i].MAC
			return false, nil
		},
		act: func(ctx context.Context, h hypervisors.Host, inst *Instance, in intent) error {
			hp, err := nicHotplug(h, inst)
			if err != nil {
				return err
			}
			return hp.DetachNIC(ctx, inst.ID, in.MAC)
		},
		end: func(tx store.Tx, inst *Instance, in intent) error {
			return dropNIC(ctx, tx, inst, in.MAC)
		},
		undo: func(store.Tx, *Instance, intent, error) error { return nil },
	})
}

// runNICOp runs o, a NIC operation, on instance id (see runOp) once the
// instance's host has NIC hot-plug and, in o's first transaction, the
// instance may change its NICs (nicChangeAllowed).
func (c *Cloud) runNICOp(ctx context.Context, id string, o op) (*Instance, error) {
	if err := c.checkHotplug(ctx, id); err != nil {
		return nil, err
	}
	begin := o.begin
	o.begin = func(tx store.Tx, inst *Instance, in *intent) (bool, error) {
		if err := nicChangeAllowed(ctx, tx, inst); err != nil {
			return false, err
		}
		return begin(tx, inst, in)
	}
	return c.runOp(ctx, id, o)
}

// checkHotplug fails with ErrNotSupported unless the host of instance id
// adds and removes NICs of existing VMs.
func (c *Cloud) checkHotplug(ctx context.Context, id string) error {
	inst, err := c.Instances.Get(ctx, id)
	if err != nil || inst.HostID == "" {
		return err // an unplaced instance is refused by runOp
	}
	h, err := c.hostOf(ctx, inst)
	if err != nil {
		return err
	}
	_, err = nicHotplug(h, inst)
	return err
}

// nicHotplug returns the NIC hot-plug of h, the host of inst, and fails
// with ErrNotSupported when it has none.
func nicHotplug(h hypervisors.Host, inst *Instance) (hypervisors.NICHotplugger, error) {
	if hp := hotplugger(h); hp != nil {
		return hp, nil
	}
	return nil, fmt.Errorf("the host of instance %s cannot add or remove NICs of a VM: %w", inst.Name, ErrNotSupported)
}

// hotplugger returns h's NIC hot-plug, nil when it has none (or h is nil).
func hotplugger(h hypervisors.Host) hypervisors.NICHotplugger {
	if h == nil {
		return nil
	}
	hp, ok := h.(hypervisors.NICHotplugger)
	if !ok || !h.Capabilities().NICHotplug {
		return nil
	}
	return hp
}

// nicChangeAllowed fails with ErrConflict unless the instance is running
// or stopped and has no snapshots.
func nicChangeAllowed(ctx context.Context, tx store.Tx, inst *Instance) error {
	if inst.State != Running && inst.State != Stopped {
		return fmt.Errorf("instance %s is %s; NICs change on a running or stopped instance: %w", inst.Name, inst.State, ErrConflict)
	}
	snaps, err := listObj[Snapshot](ctx, tx, store.KindSnapshot, store.Filter{ParentID: inst.ID})
	if err != nil {
		return err
	}
	if len(snaps) > 0 {
		return fmt.Errorf("instance %s has %d snapshots, and a revert would bring back the NICs it had; delete them first: %w", inst.Name, len(snaps), ErrConflict)
	}
	return nil
}

// nicIndex returns the index of the NIC with MAC mac (in any case), -1
// when there is none.
func (i *Instance) nicIndex(mac string) int {
	for k, n := range i.NICs {
		if strings.EqualFold(n.MAC, mac) {
			return k
		}
	}
	return -1
}

// dropNIC removes the NIC with MAC mac from inst and frees its address:
// the store keeps the instance's other NICs, renumbered in their order.
func dropNIC(ctx context.Context, tx store.Tx, inst *Instance, mac string) error {
	i := inst.nicIndex(mac)
	if i < 0 {
		return nil
	}
	inst.NICs = append(inst.NICs[:i:i], inst.NICs[i+1:]...)
	if err := tx.DeleteNICs(ctx, inst.ID); err != nil {
		return err
	}
	for k, n := range inst.NICs {
		if err := tx.InsertNIC(ctx, store.NIC{ID: newID(), InstanceID: inst.ID, NetworkID: n.NetworkID, ZoneID: inst.ZoneID,
			Index: k, IP: n.IP, MAC: n.MAC}); err != nil {
			return err
		}
	}
	return nil
}
