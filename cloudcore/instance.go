package cloudcore

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// Instance is a virtual machine.
type Instance struct {
	Meta
	Name          string   `json:"name"`
	ZoneID        string   `json:"zone_id"`
	TemplateID    string   `json:"template_id"`
	Hypervisor    string   `json:"hypervisor"`
	CPUs          int      `json:"cpus"`
	MemoryMiB     int64    `json:"memory_mib"`
	RootDiskBytes int64    `json:"root_disk_bytes"`
	HAEnabled     bool     `json:"ha_enabled"`
	UserData      string   `json:"user_data,omitempty"`
	SSHKeys       []string `json:"ssh_keys,omitempty"`
	// AffinityGroupIDs the instance is a member of.
	AffinityGroupIDs []string      `json:"affinity_group_ids,omitempty"`
	NICs             []InstanceNIC `json:"nics"`
	State            State         `json:"state"`
	// Placement: host, cluster and the pool of the root volume. HostID is
	// empty while the instance is not placed.
	HostID       string `json:"host_id,omitempty"`
	ClusterID    string `json:"cluster_id,omitempty"`
	PoolID       string `json:"pool_id,omitempty"`
	RootVolumeID string `json:"root_volume_id,omitempty"`
	LastHostID   string `json:"last_host_id,omitempty"`
	// LastError explains the Error state.
	LastError string `json:"last_error,omitempty"`
	// Task names the operation in progress; another operation on the
	// instance is refused with ErrConflict until it ends.
	Task string `json:"task,omitempty"`
	// HAPending: the HA monitor owes this instance a restart (its host was
	// fenced, or it stopped without being asked to); HAAttempts counts the
	// restarts tried so far.
	HAPending  bool `json:"ha_pending,omitempty"`
	HAAttempts int  `json:"ha_attempts,omitempty"`
}

// Unplaced reports whether the instance keeps its root volume but holds no
// host, as when its host was fenced and no other host could take it:
// Start places it again, on a host that reaches the volume.
func (i *Instance) Unplaced() bool {
	return i.HostID == "" && i.PoolID != "" && (i.State == Stopped || i.State == Error)
}

// InstanceNIC is one network interface with the addresses IPAM gave it.
type InstanceNIC struct {
	NetworkID string     `json:"network_id"`
	IP        netip.Addr `json:"ip,omitzero"` // zero on an L2 network
	MAC       string     `json:"mac"`
}

// on is the NIC as a driver sees it, on its network net.
func (n InstanceNIC) on(net *Network) hypervisors.NIC {
	nic := hypervisors.NIC{NetworkID: net.ID, VLAN: net.VLAN, MAC: n.MAC, Gateway: net.Gateway, DNS: net.DNS}
	if n.IP.IsValid() {
		nic.Address = netip.PrefixFrom(n.IP, net.CIDR.Bits())
	}
	return nic
}

func (i *Instance) columns() store.Object {
	return store.Object{Kind: store.KindInstance, Name: i.Name, Scope: i.ZoneID, ZoneID: i.ZoneID, ParentID: i.HostID, State: string(i.State)}
}

func (i *Instance) resources() hypervisors.Resources {
	return hypervisors.Resources{CPUs: i.CPUs, MemoryMiB: i.MemoryMiB}
}

// milliCPU is the CPU reservation of n vCPUs.
func milliCPU(n int) int64 { return int64(n) * 1000 }

// InstanceFilter selects instances; empty fields match all.
type InstanceFilter struct {
	ZoneID string
	HostID string
	State  State
	Name   string
	// After and Limit page through the list (keyset on creation order).
	After string
	Limit int
}

// InstanceService manages instances.
type InstanceService struct{ c *Cloud }

// Get returns an instance as recorded. Refresh compares it with the host.
func (s *InstanceService) Get(ctx context.Context, id string) (*Instance, error) {
	return view(ctx, s.c, func(tx store.Tx) (*Instance, error) {
		return getObj[Instance](ctx, tx, store.KindInstance, "", id)
	})
}

// GetByName returns the instance of a zone with that name.
func (s *InstanceService) GetByName(ctx context.Context, zoneID, name string) (*Instance, error) {
	return view(ctx, s.c, func(tx store.Tx) (*Instance, error) {
		return getByName[Instance](ctx, tx, store.KindInstance, zoneID, name)
	})
}

// List returns matching instances in creation order.
func (s *InstanceService) List(ctx context.Context, f InstanceFilter) ([]*Instance, error) {
	return view(ctx, s.c, func(tx store.Tx) ([]*Instance, error) {
		return listObj[Instance](ctx, tx, store.KindInstance, store.Filter{ZoneID: f.ZoneID, ParentID: f.HostID,
			State: string(f.State), Name: f.Name, After: f.After, Limit: f.Limit})
	})
}

// Drift is the difference Refresh found between the record and the host.
type Drift struct {
	// Missing: the VM no longer exists on its host (deleted out of band).
	Missing bool
	// Observed is the power state the host reports.
	Observed hypervisors.PowerState
	// StoppedOutOfBand: recorded Running but found powered off.
	StoppedOutOfBand bool
}

// Refresh asks the instance's host for the VM and records what changed
// behind cloudcore's back: a VM powered off out of band becomes Stopped; a
// VM deleted out of band puts the instance in Error (its capacity and
// addresses stay reserved until it is destroyed). It never starts or
// re-creates anything: that is for the caller to decide.
func (s *InstanceService) Refresh(ctx context.Context, id string) (*Instance, Drift, error) {
	inst, err := s.Get(ctx, id)
	if err != nil || inst.HostID == "" || (inst.State != Running && inst.State != Stopped) {
		return inst, Drift{}, err
	}
	conn, err := s.c.hostOf(ctx, inst)
	if err != nil {
		return inst, Drift{}, err
	}
	st, err := conn.VMStatus(ctx, inst.ID)
	var d Drift
	switch {
	case errors.Is(err, ErrNotFound):
		d.Missing = true
	case err != nil:
		return inst, Drift{}, fmt.Errorf("reading instance %s on its host: %w", inst.Name, err)
	default:
		d.Observed = st.Power
		d.StoppedOutOfBand = inst.State == Running && st.Power == hypervisors.PowerStopped
	}
	if !d.Missing && !d.StoppedOutOfBand {
		return inst, d, nil
	}
	inst, err = modify(ctx, s.c, store.KindInstance, "instance.drift", id, func(tx store.Tx, i *Instance) error {
		if d.Missing {
			i.LastError = "the VM is missing on its host (deleted out of band); destroy the instance to release its resources"
			return transition(i, Error)
		}
		return transition(i, Stopped)
	})
	return inst, d, err
}

// InstanceUpdate changes an instance in place; nil fields stay. CPU and
// memory changes go through Resize.
type InstanceUpdate struct {
	Name      *string
	HAEnabled *bool
}

// Update renames an instance or changes its HA flag.
func (s *InstanceService) Update(ctx context.Context, id string, u InstanceUpdate) (*Instance, error) {
	return modify(ctx, s.c, store.KindInstance, "instance.update", id, func(tx store.Tx, i *Instance) error {
		if u.Name != nil {
			if err := validHostname("name", *u.Name); err != nil {
				return err
			}
			i.Name = *u.Name
		}
		if u.HAEnabled != nil {
			i.HAEnabled = *u.HAEnabled
		}
		return nil
	})
}

// hostOf connects to the instance's host.
func (c *Cloud) hostOf(ctx context.Context, inst *Instance) (hypervisors.Host, error) {
	h, err := c.Hosts.Get(ctx, inst.HostID)
	if err != nil {
		return nil, fmt.Errorf("host of instance %s: %w", inst.Name, err)
	}
	return c.connect(ctx, h)
}
