// Package vmware is the "vmware" hypervisor driver: ESXi hosts, reached
// directly or through the vCenter that manages them, over the vSphere API
// with govmomi. Import it for its side effect (or import hypervisors/all):
//
//	import _ "github.com/cloudcore/terraform-provider-cloudcore/hypervisors/vmware"
//
// # Host URLs
//
//	https://esxi.example/sdk                                          a standalone ESXi
//	https://vcenter.example/sdk?host=/DC0/host/DC0_C0/DC0_C0_H0       a host of a vCenter, by inventory path
//	https://vcenter.example/sdk?host=esxi7.example                    the same by host name
//
// The path is /sdk (or empty). Query parameters, all optional:
//
//	host=<path or name>     the ESXi host; required for a vCenter
//	thumbprint=<hex>        pins the server certificate by its SHA-1 or SHA-256
//	                        fingerprint (AB:CD:... or abcd...); the certificate may
//	                        then be self-signed, as ESXi's are
//	insecure=true           skips certificate verification (explicit opt-in)
//	vswitch=<name>          standard vSwitch for guest portgroups (default vSwitch0)
//	dvs=<name>              vCenter distributed switch for guest portgroups
//	                        (default: the first one the host is a member of)
//
// Without thumbprint or insecure the certificate must verify against the
// system's roots. HostConfig's Username and Password log in; the session
// is kept alive while idle and logged in again when it ends (a call that
// meets NotAuthenticated logs in once and is repeated). Connect fails with
// ErrInvalid for a URL it cannot use, naming the parameter and the fix,
// and with ErrUnreachable when the server does not answer or its
// certificate is refused (the error then gives the certificate's
// thumbprint).
//
// # Objects
//
// Every object carries its cloudcore UUID in its vSphere name, so the
// driver keeps no state of its own:
//
//	VM          cloudcore-<UUID> in the datacenter's VM folder, on the host's
//	            resource pool; ExtraConfig cloudcore.id and cloudcore.name
//	volume      [<datastore>] cloudcore/<UUID>.vmdk
//	network     portgroup cloudcore-<UUID>: distributed on a vCenter with a
//	            distributed switch, else standard on the host's vSwitch
//	snapshot    the display name, with the UUID in the description
//
// Storage pools are datastores the host mounts: StoragePoolRef.URL is
// datastore://<name> or the bare name. Templates (TemplateRef.URL) are a
// disk, "[<datastore>] <path>.vmdk", or a VM or VM template, "vm:<inventory
// path>" or "vm:<name>". A volume from a disk is a copy made by the
// VirtualDiskManager. A volume from a VM template is a clone on vCenter
// (CloneVM_Task, whose disk becomes the volume); a standalone ESXi cannot
// clone, so there the template's disk is copied instead.
//
// VMs get a paravirtual SCSI controller with their volumes and vmxnet3
// NICs with the MAC addresses cloudcore assigned. User data and SSH keys
// reach cloud-init's VMware datasource through the guestinfo ExtraConfig
// keys (guestinfo.userdata and guestinfo.metadata, base64), the metadata
// holding the instance ID, hostname and network configuration.
//
// # Behaviour
//
// The driver follows the contracts of package hypervisors. vSphere faults
// map to its errors: InvalidPowerState and other InvalidState faults,
// ResourceInUse and DuplicateName to ErrConflict; ManagedObjectNotFound,
// NotFound and FileNotFound to ErrNotFound; InvalidArgument to ErrInvalid;
// InsufficientResourcesFault to ErrNoCapacity; connection failures to
// ErrUnreachable. Every task is waited for with the caller's context.
//
// CreateVolume and CreateVM undo what they made when a later step fails,
// including a task that went on after the connection failed while it was
// waited for. When the caller's context ends first, they return its error
// at once and undo in the background once the task has ended; Close waits
// for that. DestroyVM powers the VM off, removes its snapshots (their
// changes go into the volumes) and detaches the volumes before it destroys
// the VM, since vSphere's Destroy deletes the disks a VM still has. A
// graceful StopVM asks the guest to shut down when VMware Tools run in
// it, else powers the VM off. RebootVM resets the VM.
//
// A VM is found by its name in the datacenter's VM folder wherever it
// runs; ListVMs lists those on the connection's host.
//
// Capabilities: memory and disk snapshots; NIC hot-plug (the host
// implements hypervisors.NICHotplugger: AttachNIC and DetachNIC add and
// remove vmxnet3 NICs, running or not); no hot resize (vSphere adds CPU
// and memory to a running VM only when the VM was made for it and the
// guest supports it, so ReconfigureVM wants the VM stopped); no fencing
// (an ESXi host is fenced out of band); no live migration.
package vmware

import (
	"context"
	"fmt"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// Name is the driver's name in the hypervisors registry.
const Name = "vmware"

func init() { hypervisors.Register(driver{}) }

// driver is the vmware hypervisors.Driver.
type driver struct{}

var _ hypervisors.Driver = driver{}

func (driver) Name() string { return Name }

// Connect parses cfg.URL, logs in with cfg.Username and cfg.Password and
// finds the host. cfg.StateDir is not used.
func (driver) Connect(ctx context.Context, cfg hypervisors.HostConfig) (hypervisors.Host, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", cfg.URL, err)
	}
	c, err := parseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.Username == "" {
		return nil, fmt.Errorf("%w: vmware host %s: the host's username is required", hypervisors.ErrInvalid, c.sdk.Host)
	}
	s, err := dial(ctx, c, cfg.Username, cfg.Password)
	if err != nil {
		return nil, err
	}
	inv, err := resolveInventory(ctx, s, c)
	if err != nil {
		_ = s.logout()
		return nil, fmt.Errorf("vmware host %s: %w", cfg.URL, vsphereError(ctx, err))
	}
	return &host{cfg: c, s: s, inv: inv}, nil
}
