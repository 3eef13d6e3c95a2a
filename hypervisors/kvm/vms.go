package kvm

import (
	"context"
	"errors"
	"fmt"

	"libvirt.org/go/libvirt"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/nocloud"
)

// Steps of CreateVM, in order, and of AttachNIC, as stepHook sees them.
const (
	stepConfigDrive  = "config-drive"
	stepReservations = "reservations"
	stepDefined      = "defined"

	stepNICReserved = "nic-reserved"
)

// checkVMSpec fails with ErrInvalid for a spec CreateVM cannot make.
func checkVMSpec(spec hypervisors.VMSpec) error {
	if err := hypervisors.CheckID("VM ID", spec.ID); err != nil {
		return err
	}
	if err := hypervisors.CheckResources(spec.Resources); err != nil {
		return err
	}
	for _, nic := range spec.NICs {
		if err := checkNIC(nic); err != nil {
			return err
		}
	}
	return nil
}

// checkNIC fails with ErrInvalid for a NIC with a malformed network ID or
// MAC.
func checkNIC(nic hypervisors.NIC) error {
	if err := hypervisors.CheckID("network ID", nic.NetworkID); err != nil {
		return err
	}
	return hypervisors.CheckMAC(nic.MAC)
}

// CreateVM makes VM spec.ID in three steps, each of which can be undone
// without the next: the config drive (cloudcore-cidata-<ID>.iso on the boot
// disk's pool, unless the host URL says config_drive=false, and only when
// the VM has disks), the DHCP reservations of its NICs, and last the domain
// itself (see vmDefinition). When a step fails, or the process dies
// half-way, what the earlier steps made is removed by the failing call or
// by the next CreateVM or DestroyVM of that ID.
func (h *host) CreateVM(ctx context.Context, spec hypervisors.VMSpec) (hypervisors.VMStatus, error) {
	op := "CreateVM " + spec.ID
	if err := checkVMSpec(spec); err != nil {
		return hypervisors.VMStatus{}, err
	}
	err := h.do(ctx, op, func(c *libvirt.Connect) error {
		if dom, err := lookupVM(c, spec.ID); err == nil {
			free(dom)
			return fmt.Errorf("%w: %s: the VM exists", hypervisors.ErrConflict, op)
		} else if !errors.Is(err, hypervisors.ErrNotFound) {
			return err
		}
		r, err := h.resolve(c, spec)
		defer r.close()
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		if err := h.build(c, spec, r); err != nil {
			if cleanup := h.removeVM(c, spec.ID); cleanup != nil {
				err = fmt.Errorf("%w (and removing what was made failed: %w)", err, cleanup)
			}
			return fmt.Errorf("%s: %w", op, err)
		}
		return nil
	})
	if err != nil {
		return hypervisors.VMStatus{}, err
	}
	return hypervisors.VMStatus{ID: spec.ID, Name: spec.Name, Power: hypervisors.PowerStopped, Resources: spec.Resources}, nil
}

// resolved is what a VMSpec names, looked up on the host.
type resolved struct {
	devs     vmDevices
	bootPool *libvirt.StoragePool // pool of the first disk; nil without disks
	nets     []*libvirt.Network   // of each NIC
}

func (r *resolved) close() {
	if r.bootPool != nil {
		free(r.bootPool)
	}
	for _, n := range r.nets {
		free(n)
	}
}

// resolve looks up the volumes and networks of spec: ErrNotFound when a
// volume does not exist or a network is not running here.
func (h *host) resolve(c *libvirt.Connect, spec hypervisors.VMSpec) (*resolved, error) {
	r := &resolved{devs: vmDevices{nics: spec.NICs}}
	for i, d := range spec.Disks {
		vol, err := h.volume(c, d.Pool, d.VolumeID)
		if err != nil {
			return r, fmt.Errorf("disk %d: %w", i, err)
		}
		p, err := vol.GetPath()
		if err == nil && i == 0 {
			r.bootPool, err = vol.LookupPoolByVolume()
		}
		free(vol)
		if err != nil {
			return r, wrap(fmt.Sprintf("disk %d", i), err)
		}
		r.devs.disks = append(r.devs.disks, diskImage{path: p, format: "qcow2"})
	}
	for i, nic := range spec.NICs {
		n, err := runningNetwork(c, nic.NetworkID)
		if err != nil {
			return r, fmt.Errorf("NIC %d: %w", i, err)
		}
		r.nets = append(r.nets, n)
	}
	return r, nil
}

// runningNetwork looks up the libvirt network of guest network id:
// ErrNotFound when it is not defined or not running here. The caller frees
// it.
func runningNetwork(c *libvirt.Connect, id string) (*libvirt.Network, error) {
	n, err := c.LookupNetworkByName(networkName(id))
	if err != nil {
		return nil, wrap("network "+id, err)
	}
	if active, err := n.IsActive(); err != nil || !active {
		free(n)
		return nil, fmt.Errorf("%w: network %s is not running on this host", hypervisors.ErrNotFound, id)
	}
	return n, nil
}

// build makes the config drive, the reservations and the domain of spec.
func (h *host) build(c *libvirt.Connect, spec hypervisors.VMSpec, r *resolved) error {
	if h.cfg.configDrive && r.bootPool != nil {
		img, err := nocloud.Image(spec)
		if err != nil {
			return err
		}
		if r.devs.cidata, err = putImage(c, r.bootPool, cidataName(spec.ID), img); err != nil {
			return err
		}
		if err := h.step(stepConfigDrive); err != nil {
			return err
		}
	}
	for i, nic := range spec.NICs {
		if err := h.reserve(r.nets[i], spec.ID, nic); err != nil {
			return fmt.Errorf("NIC %d: %w", i, err)
		}
	}
	if err := h.step(stepReservations); err != nil {
		return err
	}
	def, err := h.vmDefinition(spec, r.devs)
	if err != nil {
		return err
	}
	doc, err := def.Marshal()
	if err != nil {
		return err
	}
	dom, err := c.DomainDefineXML(doc)
	if err != nil {
		return wrap("defining the domain", err)
	}
	free(dom)
	return h.step(stepDefined)
}

// step runs the test hook after step name of CreateVM or AttachNIC.
func (h *host) step(name string) error {
	if h.stepHook == nil {
		return nil
	}
	return h.stepHook(name)
}

// lookupVM returns the domain of VM id: ErrNotFound when there is none or
// the domain with that UUID is not one of the driver's. The caller frees it.
func lookupVM(c *libvirt.Connect, id string) (*libvirt.Domain, error) {
	if err := hypervisors.CheckID("VM ID", id); err != nil {
		return nil, err
	}
	dom, err := c.LookupDomainByUUIDString(id)
	if err != nil {
		return nil, wrap("looking up VM "+id, err)
	}
	if name, err := dom.GetName(); err != nil || name != domainName(id) {
		free(dom)
		return nil, fmt.Errorf("%w: VM %s: the domain with its UUID is not one of cloudcore's", hypervisors.ErrNotFound, id)
	}
	return dom, nil
}

// removeVM removes VM id and everything CreateVM makes for it, whichever
// of it there is: it powers the domain off, deletes its snapshots (with
// their data in the qcow2 images), releases its DHCP reservations, deletes
// its config drive and undefines the domain last, so that the VM stays
// listed until nothing else of it is left.
func (h *host) removeVM(c *libvirt.Connect, id string) error {
	dom, err := lookupVM(c, id)
	if err != nil && !errors.Is(err, hypervisors.ErrNotFound) {
		return err
	}
	if dom != nil {
		defer free(dom)
		if err := dom.Destroy(); err != nil && !errors.Is(err, libvirt.ERR_OPERATION_INVALID) {
			return wrap("powering the VM off", err)
		}
		if err := deleteSnapshots(dom); err != nil {
			return err
		}
	}
	if err := h.release(c, id, ""); err != nil {
		return err
	}
	if err := deleteConfigDrive(c, id); err != nil {
		return err
	}
	if dom == nil {
		return nil
	}
	// The domains boot with BIOS and have no checkpoints: nothing else to
	// undefine with them.
	const flags = libvirt.DOMAIN_UNDEFINE_SNAPSHOTS_METADATA | libvirt.DOMAIN_UNDEFINE_MANAGED_SAVE
	if err := dom.UndefineFlags(flags); err != nil && !errors.Is(err, libvirt.ERR_NO_DOMAIN) {
		return wrap("undefining the domain", err)
	}
	return nil
}

// deleteConfigDrive deletes the config drive of VM id from the driver's
// storage pools.
func deleteConfigDrive(c *libvirt.Connect, id string) error {
	pools, err := c.ListAllStoragePools(libvirt.CONNECT_LIST_STORAGE_POOLS_ACTIVE)
	if err != nil {
		return wrap("listing storage pools", err)
	}
	defer freeAll(pools)
	for i := range pools {
		name, err := pools[i].GetName()
		if _, ours := idFrom(name, poolPrefix, ""); err != nil || !ours {
			continue
		}
		if err := deleteVolume(&pools[i], cidataName(id)); err != nil {
			return err
		}
	}
	return nil
}

// DestroyVM removes the VM with its snapshots, config drive and DHCP
// reservations (see removeVM), but not its volumes. It succeeds when the VM
// does not exist, and finishes the removal of a VM whose CreateVM or
// DestroyVM was cut short.
func (h *host) DestroyVM(ctx context.Context, id string) error {
	op := "DestroyVM " + id
	if err := hypervisors.CheckID("VM ID", id); err != nil {
		return err
	}
	return h.do(ctx, op, func(c *libvirt.Connect) error {
		if err := h.removeVM(c, id); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		return nil
	})
}

// VMStatus reports VM id; ErrNotFound when it does not exist.
func (h *host) VMStatus(ctx context.Context, id string) (hypervisors.VMStatus, error) {
	var st hypervisors.VMStatus
	err := h.do(ctx, "VMStatus "+id, func(c *libvirt.Connect) error {
		dom, err := lookupVM(c, id)
		if err != nil {
			return err
		}
		defer free(dom)
		st, err = vmStatus(dom, id)
		return err
	})
	return st, err
}

// ListVMs lists the domains named cloudcore-<UUID> whose UUID is that UUID.
func (h *host) ListVMs(ctx context.Context) ([]hypervisors.VMStatus, error) {
	var list []hypervisors.VMStatus
	err := h.do(ctx, "ListVMs", func(c *libvirt.Connect) error {
		doms, err := c.ListAllDomains(0)
		if err != nil {
			return wrap("listing domains", err)
		}
		defer freeAll(doms)
		for i := range doms {
			name, err := doms[i].GetName()
			id, ours := idFrom(name, domainPrefix, "")
			if err != nil || !ours {
				continue
			}
			if uuid, err := doms[i].GetUUIDString(); err != nil || uuid != id {
				continue
			}
			st, err := vmStatus(&doms[i], id)
			if errors.Is(err, hypervisors.ErrNotFound) {
				continue // destroyed while listing
			}
			if err != nil {
				return err
			}
			list = append(list, st)
		}
		return nil
	})
	return list, err
}

// vmStatus reads the status of dom, the domain of VM id.
func vmStatus(dom *libvirt.Domain, id string) (hypervisors.VMStatus, error) {
	info, err := dom.GetInfo()
	if err != nil {
		return hypervisors.VMStatus{}, wrap("reading VM "+id, err)
	}
	title, err := dom.GetMetadata(libvirt.DOMAIN_METADATA_TITLE, "", libvirt.DOMAIN_AFFECT_CURRENT)
	if err != nil && !errors.Is(err, libvirt.ERR_NO_DOMAIN_METADATA) {
		return hypervisors.VMStatus{}, wrap("reading the title of VM "+id, err)
	}
	return hypervisors.VMStatus{
		ID:        id,
		Name:      title,
		Power:     powerState(info.State),
		Resources: hypervisors.Resources{CPUs: int(info.NrVirtCpu), MemoryMiB: int64(info.MaxMem / 1024)},
	}, nil
}

// powerState maps a libvirt domain state to a power state. A domain being
// shut down still runs.
func powerState(s libvirt.DomainState) hypervisors.PowerState {
	switch s {
	case libvirt.DOMAIN_RUNNING, libvirt.DOMAIN_BLOCKED, libvirt.DOMAIN_SHUTDOWN:
		return hypervisors.PowerRunning
	case libvirt.DOMAIN_PAUSED, libvirt.DOMAIN_PMSUSPENDED:
		return hypervisors.PowerPaused
	case libvirt.DOMAIN_SHUTOFF, libvirt.DOMAIN_CRASHED:
		return hypervisors.PowerStopped
	}
	return hypervisors.PowerUnknown
}
