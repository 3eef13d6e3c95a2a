package vmware

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// CreateVolume creates the disk [<datastore>] cloudcore/<ID>.vmdk: empty,
// or from the template (see the package documentation), then grown to
// SizeBytes rounded up to whole MiB. An existing disk of that ID fails
// with ErrConflict (FileAlreadyExists) and is left alone.
func (h *host) CreateVolume(ctx context.Context, v hypervisors.VolumeSpec) (hypervisors.VolumeInfo, error) {
	op := "CreateVolume " + v.ID
	if err := h.begin(ctx, op); err != nil {
		return hypervisors.VolumeInfo{}, err
	}
	if err := hypervisors.CheckID("volume ID", v.ID); err != nil {
		return hypervisors.VolumeInfo{}, err
	}
	if v.SizeBytes < 0 || (v.Template == nil && v.SizeBytes == 0) {
		return hypervisors.VolumeInfo{}, fmt.Errorf("%w: volume %s: want a size of more than 0 bytes (or a template), got %d",
			hypervisors.ErrInvalid, v.ID, v.SizeBytes)
	}
	ds, err := h.datastore(ctx, v.Pool)
	if err != nil {
		return hypervisors.VolumeInfo{}, h.fail(ctx, op, err)
	}
	if err := h.makeVolumeFolder(ctx, ds); err != nil {
		return hypervisors.VolumeInfo{}, h.fail(ctx, op, err)
	}
	target := volumePath(ds.name, v.ID)
	t := &txn{h: h}
	size := roundDiskSize(v.SizeBytes)
	if v.Template == nil {
		err = t.createDisk(ctx, target, size)
	} else {
		size, err = t.fromTemplate(ctx, ds, v, target)
	}
	if err != nil {
		return hypervisors.VolumeInfo{}, h.fail(ctx, op, t.rollback(ctx, err))
	}
	return hypervisors.VolumeInfo{ID: v.ID, PoolID: v.Pool.ID, SizeBytes: size}, nil
}

// ResizeVolume grows the volume's disk to sizeBytes rounded up to whole
// MiB; a size below the disk's fails with ErrInvalid.
func (h *host) ResizeVolume(ctx context.Context, pool hypervisors.StoragePoolRef, volumeID string, sizeBytes int64) error {
	op := "ResizeVolume " + volumeID
	if err := h.begin(ctx, op); err != nil {
		return err
	}
	if err := hypervisors.CheckID("volume ID", volumeID); err != nil {
		return err
	}
	ds, err := h.datastore(ctx, pool)
	if err != nil {
		return h.fail(ctx, op, err)
	}
	p := volumePath(ds.name, volumeID)
	capacity, found, err := h.diskCapacity(ctx, p)
	switch {
	case err != nil:
		return h.fail(ctx, op, err)
	case !found:
		return h.fail(ctx, op, fmt.Errorf("%w: no disk %s", hypervisors.ErrNotFound, p))
	case sizeBytes < capacity:
		return h.fail(ctx, op, fmt.Errorf("%w: the disk has %d bytes; volumes only grow, and %d is smaller", hypervisors.ErrInvalid, capacity, sizeBytes))
	case roundDiskSize(sizeBytes) == capacity:
		return nil
	}
	if err := (&txn{h: h}).extendDisk(ctx, p, roundDiskSize(sizeBytes)); err != nil {
		return h.fail(ctx, op, err)
	}
	return nil
}

// DeleteVolume deletes the volume's disk; a missing one is not an error.
func (h *host) DeleteVolume(ctx context.Context, pool hypervisors.StoragePoolRef, volumeID string) error {
	op := "DeleteVolume " + volumeID
	if err := h.begin(ctx, op); err != nil {
		return err
	}
	if err := hypervisors.CheckID("volume ID", volumeID); err != nil {
		return err
	}
	ds, err := h.datastore(ctx, pool)
	if err != nil {
		return h.fail(ctx, op, err)
	}
	if err := h.deleteDisk(ctx, volumePath(ds.name, volumeID)); err != nil {
		return h.fail(ctx, op, err)
	}
	return nil
}

// ListVolumes lists the disks in the pool's cloudcore folder, ordered by
// ID, with the capacity their descriptors state.
func (h *host) ListVolumes(ctx context.Context, pool hypervisors.StoragePoolRef) ([]hypervisors.VolumeInfo, error) {
	const op = "ListVolumes"
	if err := h.begin(ctx, op); err != nil {
		return nil, err
	}
	ds, err := h.datastore(ctx, pool)
	if err != nil {
		return nil, h.fail(ctx, op, err)
	}
	ids, err := h.volumeIDs(ctx, ds)
	if err != nil {
		return nil, h.fail(ctx, op, err)
	}
	vols := make([]hypervisors.VolumeInfo, 0, len(ids))
	for _, id := range ids {
		capacity, found, err := h.diskCapacity(ctx, volumePath(ds.name, id))
		if err != nil {
			return nil, h.fail(ctx, op, err)
		}
		if found { // else deleted since the search
			vols = append(vols, hypervisors.VolumeInfo{ID: id, PoolID: pool.ID, SizeBytes: capacity})
		}
	}
	return vols, nil
}

// volumeIDs searches the cloudcore folder of ds for volumes, sorted.
func (h *host) volumeIDs(ctx context.Context, ds datastore) ([]string, error) {
	var dso mo.Datastore
	if err := h.s.retrieveOne(ctx, ds.ref, []string{"browser"}, &dso); err != nil {
		return nil, err
	}
	browser := object.NewHostDatastoreBrowser(h.s.vim, dso.Browser)
	spec := types.HostDatastoreBrowserSearchSpec{
		Query:        []types.BaseFileQuery{&types.VmDiskFileQuery{}},
		MatchPattern: []string{"*.vmdk"},
	}
	res, err := h.runTask(ctx, func(ctx context.Context) (*object.Task, error) {
		return browser.SearchDatastore(ctx, (&object.DatastorePath{Datastore: ds.name, Path: volumeFolder}).String(), &spec)
	})
	if isFault[*types.FileNotFound](err) {
		return nil, nil // no volume was ever made there
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, f := range res.(types.HostDatastoreBrowserSearchResults).File {
		if id, ok := idOfVolumeFile(path.Base(f.GetFileInfo().Path)); ok {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, strings.Compare)
	return ids, nil
}
