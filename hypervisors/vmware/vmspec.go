package vmware

import (
	"context"
	"fmt"
	"net"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

const (
	// guestID is the guest OS VMs are declared with: cloud images are
	// 64-bit Linux.
	guestID = string(types.VirtualMachineGuestOsIdentifierOtherLinux64Guest)
	// maxDisks is how many disks the VM's one SCSI controller takes.
	maxDisks = 15
)

// checkVMSpec fails with ErrInvalid for a spec CreateVM cannot make.
func checkVMSpec(spec hypervisors.VMSpec) error {
	if err := hypervisors.CheckID("VM ID", spec.ID); err != nil {
		return err
	}
	if err := hypervisors.CheckResources(spec.Resources); err != nil {
		return fmt.Errorf("VM %s: %w", spec.ID, err)
	}
	if len(spec.Disks) == 0 || len(spec.Disks) > maxDisks {
		return fmt.Errorf("%w: VM %s: want from 1 (the boot disk) to %d disks, got %d", hypervisors.ErrInvalid, spec.ID, maxDisks, len(spec.Disks))
	}
	for _, d := range spec.Disks {
		if err := hypervisors.CheckID("volume ID", d.VolumeID); err != nil {
			return fmt.Errorf("VM %s: %w", spec.ID, err)
		}
	}
	for i, n := range spec.NICs {
		if err := hypervisors.CheckID("network ID", n.NetworkID); err != nil {
			return fmt.Errorf("VM %s: NIC %d: %w", spec.ID, i, err)
		}
		if mac, err := net.ParseMAC(n.MAC); err != nil || len(mac) != 6 {
			return fmt.Errorf("%w: VM %s: NIC %d: MAC address %q is not of the form 02:00:00:00:00:01", hypervisors.ErrInvalid, spec.ID, i, n.MAC)
		}
	}
	return nil
}

// attachments are the vSphere objects a VM spec refers to.
type attachments struct {
	home  string       // datastore of the VM's files: the boot disk's
	disks []string     // datastore paths of the volumes, in order
	nics  []*portgroup // portgroups of the NICs, in order
}

// resolveAttachments finds the datastores of spec's volumes and the
// portgroups of its NICs; a network not ensured on the host fails with
// ErrNotFound. That the volumes exist is left to vSphere, which fails to
// attach a missing one with FileNotFound.
func (h *host) resolveAttachments(ctx context.Context, spec hypervisors.VMSpec) (attachments, error) {
	var a attachments
	for i, d := range spec.Disks {
		ds, err := h.datastore(ctx, d.Pool)
		if err != nil {
			return a, fmt.Errorf("disk %d: %w", i, err)
		}
		if i == 0 {
			a.home = ds.name
		}
		a.disks = append(a.disks, volumePath(ds.name, d.VolumeID))
	}
	for i, n := range spec.NICs {
		pg, err := h.nicPortgroup(ctx, n.NetworkID)
		switch {
		case err != nil:
			return a, err
		case pg == nil:
			return a, fmt.Errorf("%w: NIC %d: network %s is not on host %s (no portgroup %s)", hypervisors.ErrNotFound, i, n.NetworkID, h.inv.hostName, portgroupName(n.NetworkID))
		}
		a.nics = append(a.nics, pg)
	}
	return a, nil
}

// vmConfigSpec is the configuration CreateVM creates spec's VM with: its
// files in folder cloudcore-<ID> on the boot disk's datastore, a
// paravirtual SCSI controller with the volumes, vmxnet3 NICs with the
// MACs cloudcore assigned, the cloudcore ExtraConfig and the guestinfo
// for cloud-init. instanceUUID tells this creation's VM apart from any
// other of the same name.
func vmConfigSpec(spec hypervisors.VMSpec, a attachments, instanceUUID string) (types.VirtualMachineConfigSpec, error) {
	extra, err := guestinfo(spec)
	if err != nil {
		return types.VirtualMachineConfigSpec{}, err
	}
	extra = append(extra,
		&types.OptionValue{Key: keyID, Value: spec.ID},
		&types.OptionValue{Key: keyName, Value: spec.Name})

	var devices object.VirtualDeviceList
	scsi, err := devices.CreateSCSIController("pvscsi")
	if err != nil {
		return types.VirtualMachineConfigSpec{}, err
	}
	devices = append(devices, scsi)
	changes := []types.BaseVirtualDeviceConfigSpec{add(scsi)}
	for _, p := range a.disks {
		disk := devices.CreateDisk(scsi.(types.BaseVirtualController), types.ManagedObjectReference{}, p)
		devices = append(devices, disk)
		changes = append(changes, add(disk)) // no file operation: the volume exists
	}
	for i, pg := range a.nics {
		card, err := devices.CreateEthernetCard("vmxnet3", pg.backing)
		if err != nil {
			return types.VirtualMachineConfigSpec{}, err
		}
		c := card.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard()
		c.Key = devices.NewKey()
		c.AddressType = string(types.VirtualEthernetCardMacTypeManual)
		c.MacAddress = spec.NICs[i].MAC
		devices = append(devices, card)
		changes = append(changes, add(card))
	}
	return types.VirtualMachineConfigSpec{
		Name:         vmName(spec.ID),
		InstanceUuid: instanceUUID,
		GuestId:      guestID,
		NumCPUs:      int32(spec.CPUs),
		MemoryMB:     spec.MemoryMiB,
		Annotation:   fmt.Sprintf("cloudcore instance %s (%s)", spec.Name, spec.ID),
		Files:        &types.VirtualMachineFileInfo{VmPathName: (&object.DatastorePath{Datastore: a.home}).String()},
		ExtraConfig:  extra,
		DeviceChange: changes,
	}, nil
}

// add is the spec that adds device d.
func add(d types.BaseVirtualDevice) types.BaseVirtualDeviceConfigSpec {
	return &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationAdd, Device: d}
}
