package simulator

import (
	"context"
	"fmt"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// templateSizeBytes is the size of every template image.
const templateSizeBytes = 1 << 30

// CreateVolume creates a volume on the shared pool: from a template, at
// least templateSizeBytes (SizeBytes 0 takes that size, a smaller non-zero
// size is ErrInvalid); empty, SizeBytes must be positive.
func (h *host) CreateVolume(ctx context.Context, v hypervisors.VolumeSpec) (hypervisors.VolumeInfo, error) {
	if err := checkVolumeSpec(v); err != nil {
		return hypervisors.VolumeInfo{}, err
	}
	pool, err := h.store.pool(v.Pool.ID)
	if err != nil {
		return hypervisors.VolumeInfo{}, err
	}
	vol := volumeRecord{VolumeInfo: hypervisors.VolumeInfo{ID: v.ID, PoolID: v.Pool.ID, SizeBytes: v.SizeBytes}}
	if v.Template != nil {
		vol.TemplateID = v.Template.ID
		vol.SizeBytes = max(v.SizeBytes, templateSizeBytes)
	}
	err = h.do(ctx, OpCreateVolume, func(hostTxn) error {
		return pool.update(func(t poolTxn) error {
			if t.hasVolume(v.ID) {
				return fmt.Errorf("%w: volume %s exists on simulator storage pool %s", hypervisors.ErrConflict, v.ID, pool.id)
			}
			return t.saveVolume(&vol)
		})
	})
	if err != nil {
		return hypervisors.VolumeInfo{}, err
	}
	return vol.VolumeInfo, nil
}

func checkVolumeSpec(v hypervisors.VolumeSpec) error {
	if err := checkName("volume ID", v.ID); err != nil {
		return err
	}
	switch {
	case v.SizeBytes < 0:
		return fmt.Errorf("%w: volume %s: negative size %d", hypervisors.ErrInvalid, v.ID, v.SizeBytes)
	case v.Template == nil && v.SizeBytes == 0:
		return fmt.Errorf("%w: volume %s: an empty volume needs a size", hypervisors.ErrInvalid, v.ID)
	case v.Template == nil:
		return nil
	case v.Template.ID == "":
		return fmt.Errorf("%w: volume %s: template without an ID", hypervisors.ErrInvalid, v.ID)
	case v.SizeBytes != 0 && v.SizeBytes < templateSizeBytes:
		return fmt.Errorf("%w: volume %s: size %d is smaller than template %s (%d bytes)", hypervisors.ErrInvalid, v.ID, v.SizeBytes, v.Template.ID, templateSizeBytes)
	}
	return nil
}

// ResizeVolume grows a volume; the same size is a no-op, a smaller one ErrInvalid.
func (h *host) ResizeVolume(ctx context.Context, poolRef hypervisors.StoragePoolRef, volumeID string, sizeBytes int64) error {
	pool, err := h.volumePool(poolRef, volumeID)
	if err != nil {
		return err
	}
	return h.do(ctx, OpResizeVolume, func(hostTxn) error {
		return pool.update(func(t poolTxn) error {
			vol, err := t.loadVolume(volumeID)
			if err != nil {
				return err
			}
			if sizeBytes < vol.SizeBytes {
				return fmt.Errorf("%w: volume %s on simulator storage pool %s: cannot shrink from %d to %d bytes", hypervisors.ErrInvalid, volumeID, pool.id, vol.SizeBytes, sizeBytes)
			}
			vol.SizeBytes = sizeBytes
			return t.saveVolume(&vol)
		})
	})
}

// DeleteVolume deletes a volume; a missing one is not an error.
func (h *host) DeleteVolume(ctx context.Context, poolRef hypervisors.StoragePoolRef, volumeID string) error {
	pool, err := h.volumePool(poolRef, volumeID)
	if err != nil {
		return err
	}
	return h.do(ctx, OpDeleteVolume, func(hostTxn) error {
		return pool.update(func(t poolTxn) error { return t.removeVolume(volumeID) })
	})
}

// ListVolumes lists the pool's volumes, whichever host created them.
func (h *host) ListVolumes(ctx context.Context, poolRef hypervisors.StoragePoolRef) ([]hypervisors.VolumeInfo, error) {
	pool, err := h.store.pool(poolRef.ID)
	if err != nil {
		return nil, err
	}
	var vols []hypervisors.VolumeInfo
	err = h.do(ctx, OpListVolumes, func(hostTxn) error {
		return pool.update(func(t poolTxn) (err error) {
			vols, err = t.listVolumes()
			return err
		})
	})
	return vols, err
}

// volumePool validates a volume's ID and returns its pool.
func (h *host) volumePool(poolRef hypervisors.StoragePoolRef, volumeID string) (*poolStore, error) {
	if err := checkName("volume ID", volumeID); err != nil {
		return nil, err
	}
	return h.store.pool(poolRef.ID)
}
