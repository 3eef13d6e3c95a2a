// Package hypervisors defines the contract between the cloudcore engine and the
// hypervisor drivers (simulator, KVM, XenServer, VMware), and a registry drivers
// add themselves to when linked in (see package hypervisors/all).
//
// Identifiers: the engine names every object by its cloudcore UUID (VM, volume,
// network, snapshot). Drivers map those to platform names and carry the UUID in
// the platform object's name or metadata, so ListVMs and ListVolumes can find
// what cloudcore created even when the engine has lost its record of it.
// Platform identifiers never leave the driver.
//
// Errors: drivers wrap the sentinel errors of this package (ErrNotFound,
// ErrConflict, ...) so the engine can act on them with errors.Is.
//
// Every method takes ctx first and returns when ctx is done, with an error
// wrapping ctx.Err().
package hypervisors

import (
	"context"
	"net/netip"
	"time"
)

// HostConfig is how the engine asks a driver to connect to one host.
type HostConfig struct {
	// URL names the host in the driver's scheme, e.g. "simulator://host1",
	// "qemu:///system", "https://esxi.example/sdk".
	URL string
	// Username and Password are the host credentials, already decrypted.
	Username string
	Password string
	// StateDir is a directory the driver may keep local state in (the
	// simulator keeps its hosts there). Drivers that need none ignore it.
	StateDir string
}

// Driver connects to hosts of one hypervisor type.
type Driver interface {
	// Name is the hypervisor type: "simulator", "kvm", "xenserver", "vmware".
	Name() string
	// Connect opens a connection to one host. It fails with ErrInvalid for a
	// URL the driver cannot parse and ErrUnreachable when the host does not
	// answer.
	Connect(ctx context.Context, cfg HostConfig) (Host, error)
}

// Host is a connection to one hypervisor host. It is safe for concurrent use.
type Host interface {
	// Info reports identity and total capacity of the host.
	Info(ctx context.Context) (HostInfo, error)
	// Ping checks that the host answers; ErrUnreachable when it does not.
	Ping(ctx context.Context) error
	// Capabilities tells which optional operations this host supports.
	Capabilities() Capabilities

	// EnsureNetwork makes the guest network usable by VMs on this host
	// (bridge, portgroup, VLAN). It is idempotent.
	EnsureNetwork(ctx context.Context, n NetworkSpec) error
	// RemoveNetwork removes the network from this host; it succeeds when the
	// network is not there. It fails with ErrConflict while VMs use it.
	RemoveNetwork(ctx context.Context, networkID string) error

	// CreateVolume creates a volume on a storage pool, as a copy or overlay of
	// the template when one is given, grown to SizeBytes (0: the template's
	// size; smaller than the template: ErrInvalid). It fails with
	// ErrConflict when a volume with that ID exists, and leaves nothing behind
	// when it fails.
	CreateVolume(ctx context.Context, v VolumeSpec) (VolumeInfo, error)
	// ResizeVolume grows a volume; shrinking fails with ErrInvalid.
	ResizeVolume(ctx context.Context, pool StoragePoolRef, volumeID string, sizeBytes int64) error
	// DeleteVolume deletes a volume; it succeeds when the volume is gone already.
	DeleteVolume(ctx context.Context, pool StoragePoolRef, volumeID string) error
	// ListVolumes lists the volumes cloudcore created on the pool.
	ListVolumes(ctx context.Context, pool StoragePoolRef) ([]VolumeInfo, error)

	// CreateVM defines a VM (stopped) with the given disks and NICs. It
	// fails with ErrNotFound when a volume does not exist or a NIC's network
	// was not ensured on this host, ErrInvalid for an empty ID or zero CPUs
	// or memory, and ErrConflict when a VM with that ID exists. When CreateVM
	// fails it removes whatever part of the VM it made (but never the
	// volumes it was given), so a retry starts clean.
	CreateVM(ctx context.Context, spec VMSpec) (VMStatus, error)
	// StartVM powers a VM on; it succeeds when the VM is running already.
	StartVM(ctx context.Context, id string) error
	// StopVM shuts a VM down, gracefully unless force is set. It succeeds when
	// the VM is stopped already or does not exist.
	StopVM(ctx context.Context, id string, force bool) error
	// RebootVM restarts a running VM; ErrConflict when it is not running.
	RebootVM(ctx context.Context, id string) error
	// ReconfigureVM changes CPU and memory. Hosts without hot resize
	// (Capabilities.HotResize false) fail with ErrConflict while it runs.
	ReconfigureVM(ctx context.Context, id string, r Resources) error
	// DestroyVM powers the VM off if needed and removes it with its
	// snapshots, but not its volumes. It succeeds when the VM does not exist.
	DestroyVM(ctx context.Context, id string) error
	// VMStatus reports one VM; ErrNotFound when it does not exist.
	VMStatus(ctx context.Context, id string) (VMStatus, error)
	// ListVMs lists the VMs cloudcore created on this host, and only those.
	ListVMs(ctx context.Context) ([]VMStatus, error)

	// CreateSnapshot snapshots a VM: with memory (the VM must be running,
	// else ErrConflict) or disk only. ErrNotSupported when the host cannot.
	CreateSnapshot(ctx context.Context, vmID string, s SnapshotSpec) (SnapshotInfo, error)
	// ListSnapshots lists a VM's snapshots, oldest first.
	ListSnapshots(ctx context.Context, vmID string) ([]SnapshotInfo, error)
	// RevertSnapshot returns the VM to the snapshot, including its CPU,
	// memory and power state: running for a memory snapshot, stopped for a
	// disk-only one. The snapshot becomes the VM's current snapshot.
	RevertSnapshot(ctx context.Context, vmID, snapshotID string) error
	// DeleteSnapshot removes a snapshot, keeping its children (they take its
	// parent; deleting the current snapshot makes its parent current). It
	// succeeds when the snapshot or the VM does not exist.
	DeleteSnapshot(ctx context.Context, vmID, snapshotID string) error

	// Close releases the connection.
	Close() error
}

// Fencer is implemented by drivers that can power a host off themselves,
// reaching it out of band (the simulator). Fencing is wanted when a host
// stops answering, so it takes the host's configuration rather than a
// connection: it works while Connect to the host fails. Real hosts are
// usually fenced through their BMC instead (see cloudcore's OOBM).
type Fencer interface {
	// FenceHost powers the host off so that none of its VMs keeps running.
	// It succeeds when the host is off already; when it fails, the caller
	// must assume the host and its VMs still run.
	FenceHost(ctx context.Context, cfg HostConfig) error
}

// Liveness is a second opinion on whether a host runs.
type Liveness string

const (
	// LivenessAlive: the host runs (its VMs may run), though the
	// management plane may not reach it.
	LivenessAlive Liveness = "alive"
	// LivenessDead: the host is off; none of its VMs runs.
	LivenessDead Liveness = "dead"
	// LivenessUnknown: the investigator cannot tell.
	LivenessUnknown Liveness = "unknown"
)

// Investigator is implemented by hosts that can give a second opinion on a
// peer of their cluster that the management plane no longer reaches: from
// where they stand (shared storage heartbeats, the cluster network) they
// tell whether it still runs.
type Investigator interface {
	// InvestigatePeer reports whether the host peer configures runs. An
	// error means this host could not investigate (treat as unknown).
	InvestigatePeer(ctx context.Context, peer HostConfig) (Liveness, error)
}

// NICHotplugger is implemented by hosts that add NICs to and remove them
// from an existing VM, whatever its power state (Capabilities.NICHotplug).
type NICHotplugger interface {
	// AttachNIC adds nic to VM vmID, on nic's network with nic's MAC. The
	// network must have been ensured on this host first. It fails with
	// ErrNotFound when the VM does not exist or the network was not ensured
	// on this host, ErrInvalid for a malformed network ID or MAC, and
	// ErrConflict when the VM has a NIC with that MAC already; when it
	// fails, the VM keeps the NICs it had.
	AttachNIC(ctx context.Context, vmID string, nic NIC) error
	// DetachNIC removes the NIC with MAC mac from VM vmID; it succeeds when
	// the VM has no such NIC. It fails with ErrNotFound when the VM does not
	// exist. Once no VM has a NIC on a network, RemoveNetwork removes it.
	DetachNIC(ctx context.Context, vmID, mac string) error
}

// Capabilities reports the optional features of a host.
type Capabilities struct {
	MemorySnapshots bool // CreateSnapshot with Memory
	DiskSnapshots   bool // CreateSnapshot without Memory
	HotResize       bool // ReconfigureVM while running
	Fencing         bool // the host's driver implements Fencer
	LiveMigration   bool
	NICHotplug      bool // the host implements NICHotplugger
}

// HostInfo is the identity and total capacity of a host.
type HostInfo struct {
	Hostname   string
	Hypervisor string // driver name
	Version    string // hypervisor version
	CPUs       int    // logical CPUs
	CPUMHz     int    // speed of one CPU
	MemoryMiB  int64
}

// PowerState of a VM as the hypervisor sees it.
type PowerState string

const (
	PowerRunning PowerState = "Running"
	PowerStopped PowerState = "Stopped"
	PowerPaused  PowerState = "Paused"
	PowerUnknown PowerState = "Unknown"
)

// Resources is the CPU and memory of a VM.
type Resources struct {
	CPUs      int
	MemoryMiB int64
}

// VMSpec describes a VM to create. ID is the cloudcore instance UUID.
type VMSpec struct {
	ID   string
	Name string // display name; drivers may fold it into the platform name
	Resources
	Disks    []Disk
	NICs     []NIC
	UserData string // cloud-init user data, delivered as the platform allows
	SSHKeys  []string
}

// Disk attaches a volume; the first disk is the boot disk.
type Disk struct {
	VolumeID string
	Pool     StoragePoolRef
}

// NIC is one network interface with the address IPAM assigned to it.
type NIC struct {
	NetworkID string
	VLAN      int // 0 when the network has none
	MAC       string
	Address   netip.Prefix // IP address with the network's prefix length
	Gateway   netip.Addr
	DNS       []netip.Addr
}

// VMStatus reports a VM.
type VMStatus struct {
	ID    string // cloudcore UUID
	Name  string
	Power PowerState
	Resources
}

// NetworkSpec describes a guest network on a host.
type NetworkSpec struct {
	ID      string
	Name    string
	VLAN    int // 0: untagged
	CIDR    netip.Prefix
	Gateway netip.Addr
	DNS     []netip.Addr
}

// StoragePoolRef names a primary storage pool on the hypervisor.
type StoragePoolRef struct {
	ID  string // cloudcore UUID
	URL string // e.g. "file:///var/lib/cloudcore/pool1", "nfs://srv/export", datastore name
}

// TemplateRef names a template image volumes are created from.
type TemplateRef struct {
	ID     string
	URL    string
	Format string // qcow2, raw, vmdk, vhd, ova
}

// VolumeSpec describes a volume to create.
type VolumeSpec struct {
	ID        string
	Pool      StoragePoolRef
	Template  *TemplateRef // nil: an empty volume
	SizeBytes int64
}

// VolumeInfo reports a volume.
type VolumeInfo struct {
	ID        string
	PoolID    string
	SizeBytes int64
}

// SnapshotSpec describes a snapshot to take. ID is the cloudcore snapshot UUID.
type SnapshotSpec struct {
	ID     string
	Name   string
	Memory bool
}

// SnapshotInfo reports a snapshot.
type SnapshotInfo struct {
	ID        string
	Name      string
	ParentID  string // "" for a root snapshot
	Memory    bool
	Power     PowerState // the VM's power state when it was taken
	CreatedAt time.Time
}
