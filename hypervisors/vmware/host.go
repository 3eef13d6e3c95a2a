package vmware

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// host is a connection to one ESXi host, directly or through vCenter.
type host struct {
	cfg config
	s   *session
	inv inventory

	datastores    sync.Map // datastore name -> types.ManagedObjectReference
	volumeFolders sync.Map // datastore name -> true once its volume folder is made
	portgroups    sync.Map // network ID -> *portgroup (see nicPortgroup)
	templates     sync.Map // template URL -> template (see host.template)
	cleanups      sync.WaitGroup
	closed        atomic.Bool
}

var _ hypervisors.Host = (*host)(nil)

// Info reports the host's name, ESXi version and capacity.
func (h *host) Info(ctx context.Context) (hypervisors.HostInfo, error) {
	const op = "Info"
	if err := h.begin(ctx, op); err != nil {
		return hypervisors.HostInfo{}, err
	}
	var hs mo.HostSystem
	if err := h.s.retrieveOne(ctx, h.inv.host, []string{"name", "summary.hardware", "summary.config.product"}, &hs); err != nil {
		return hypervisors.HostInfo{}, h.fail(ctx, op, err)
	}
	info := hypervisors.HostInfo{Hostname: hs.Name, Hypervisor: Name}
	if p := hs.Summary.Config.Product; p != nil {
		info.Version = p.Version
	}
	if hw := hs.Summary.Hardware; hw != nil {
		info.CPUs = int(hw.NumCpuThreads)
		info.CPUMHz = int(hw.CpuMhz)
		info.MemoryMiB = hw.MemorySize >> 20
	}
	return info, nil
}

// Ping checks that the server answers and, on a vCenter, that it is
// connected to the host; ErrUnreachable otherwise.
func (h *host) Ping(ctx context.Context) error {
	const op = "Ping"
	if err := h.begin(ctx, op); err != nil {
		return err
	}
	var hs mo.HostSystem
	if err := h.s.retrieveOne(ctx, h.inv.host, []string{"runtime.connectionState"}, &hs); err != nil {
		return h.fail(ctx, op, err)
	}
	if state := hs.Runtime.ConnectionState; state != types.HostSystemConnectionStateConnected {
		return fmt.Errorf("%w: vmware host %s: vCenter reports the host %s", hypervisors.ErrUnreachable, h.inv.hostName, state)
	}
	return nil
}

// Capabilities: memory and disk snapshots and NIC hot-plug; no hot resize,
// fencing or live migration (see the package documentation).
func (h *host) Capabilities() hypervisors.Capabilities {
	return hypervisors.Capabilities{MemorySnapshots: true, DiskSnapshots: true, NICHotplug: true}
}

// Close waits for the clean-ups that failed CreateVM and CreateVolume calls
// left running in the background (see txn.rollback), then logs out. Later
// calls fail with ErrInvalid; calls still running when Close is called are
// the caller's to wait for.
func (h *host) Close() error {
	if h.closed.Swap(true) {
		return nil
	}
	h.cleanups.Wait()
	return h.s.logout()
}

// begin starts operation op: it fails on a closed connection and when ctx
// is done.
func (h *host) begin(ctx context.Context, op string) error {
	if h.closed.Load() {
		return fmt.Errorf("%w: vmware host %s: %s on a closed connection", hypervisors.ErrInvalid, h.inv.hostName, op)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("vmware host %s: %s: %w", h.inv.hostName, op, err)
	}
	return nil
}

// fail explains that what failed with err, a vSphere error or one of the
// driver's (see vsphereError).
func (h *host) fail(ctx context.Context, what string, err error) error {
	return fmt.Errorf("vmware host %s: %s: %w", h.inv.hostName, what, vsphereError(ctx, err))
}

// runTask starts a vSphere task with start and waits for its result.
func (h *host) runTask(ctx context.Context, start func(context.Context) (*object.Task, error)) (types.AnyType, error) {
	task, err := start(ctx)
	if err != nil {
		return nil, err
	}
	return h.waitTask(ctx, task)
}

// waitTask waits for task with ctx and returns its result or its fault. A
// session that logs in again while the wait runs loses the property
// collector the wait uses, so the wait is repeated then (see session.retry);
// the task itself lives on the server regardless of sessions.
func (h *host) waitTask(ctx context.Context, task *object.Task) (types.AnyType, error) {
	var info *types.TaskInfo
	err := h.s.retry(ctx, func() (err error) {
		info, err = task.WaitForResult(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return info.Result, nil
}
