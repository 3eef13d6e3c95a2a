package vmware

import (
	"context"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

// Disks are thin and sized in whole MiB, as VMFS allocates them.
const (
	diskGrain   = int64(1) << 20
	bytesPerKiB = int64(1) << 10
)

// thinDisk is how the driver makes and copies disks.
var thinDisk = types.VirtualDiskSpec{
	DiskType:    string(types.VirtualDiskTypeThin),
	AdapterType: string(types.VirtualDiskAdapterTypeLsiLogic),
}

// roundDiskSize rounds a size up to whole MiB.
func roundDiskSize(bytes int64) int64 { return (bytes + diskGrain - 1) / diskGrain * diskGrain }

// diskManager is the server's VirtualDiskManager.
func (h *host) diskManager() *object.VirtualDiskManager {
	return object.NewVirtualDiskManager(h.s.vim)
}

// makeDisk runs the task start makes to create the disk at datastore path
// p, and registers p's deletion for a rollback, unless the task found a
// disk there already (FileAlreadyExists, which the caller reports as
// ErrConflict): that disk is not the operation's to delete.
func (t *txn) makeDisk(ctx context.Context, p string, start func(context.Context) (*object.Task, error)) error {
	existed := false
	t.onFailure(func(ctx context.Context) error {
		if existed {
			return nil
		}
		return t.h.deleteDisk(ctx, p)
	})
	_, err := t.task(ctx, start)
	existed = isFault[*types.FileAlreadyExists](err)
	return err
}

// createDisk creates an empty disk of size bytes (whole MiB) at datastore
// path p.
func (t *txn) createDisk(ctx context.Context, p string, size int64) error {
	spec := &types.FileBackedVirtualDiskSpec{
		VirtualDiskSpec: thinDisk,
		CapacityKb:      size / bytesPerKiB,
	}
	return t.makeDisk(ctx, p, func(ctx context.Context) (*object.Task, error) {
		return t.h.diskManager().CreateVirtualDisk(ctx, p, t.h.dc(), spec)
	})
}

// copyDisk copies the disk at datastore path src to dst, as a thin disk.
func (t *txn) copyDisk(ctx context.Context, src, dst string) error {
	spec := thinDisk
	return t.makeDisk(ctx, dst, func(ctx context.Context) (*object.Task, error) {
		return t.h.diskManager().CopyVirtualDisk(ctx, src, t.h.dc(), dst, t.h.dc(), &spec, false)
	})
}

// moveDisk moves the disk at datastore path src to dst.
func (t *txn) moveDisk(ctx context.Context, src, dst string) error {
	return t.makeDisk(ctx, dst, func(ctx context.Context) (*object.Task, error) {
		return t.h.diskManager().MoveVirtualDisk(ctx, src, t.h.dc(), dst, t.h.dc(), false)
	})
}

// extendDisk grows the disk at datastore path p to size bytes (whole MiB).
func (t *txn) extendDisk(ctx context.Context, p string, size int64) error {
	_, err := t.task(ctx, func(ctx context.Context) (*object.Task, error) {
		return t.h.diskManager().ExtendVirtualDisk(ctx, p, t.h.dc(), size/bytesPerKiB, types.NewBool(false))
	})
	return err
}

// deleteDisk deletes the disk at datastore path p; a missing disk is not
// an error.
func (h *host) deleteDisk(ctx context.Context, p string) error {
	_, err := h.runTask(ctx, func(ctx context.Context) (*object.Task, error) {
		return h.diskManager().DeleteVirtualDisk(ctx, p, h.dc())
	})
	if err != nil && !isFault[*types.FileNotFound](err) {
		return err
	}
	return nil
}

// dc is the host's datacenter, which datastore paths are relative to.
func (h *host) dc() *object.Datacenter { return object.NewDatacenter(h.s.vim, h.inv.datacenter) }
