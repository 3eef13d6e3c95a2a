package kvm

import (
	"context"
	"errors"
	"fmt"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// volumeDefinition describes a volume called name of capacity bytes (0:
// the size of the backing image), as a qcow2 overlay of backing when it is
// set, else as an empty qcow2 image.
func volumeDefinition(name string, capacity int64, backing *libvirtxml.StorageVolumeBackingStore) *libvirtxml.StorageVolume {
	return &libvirtxml.StorageVolume{
		Name:     name,
		Capacity: &libvirtxml.StorageVolumeSize{Unit: "bytes", Value: uint64(capacity)},
		Target: &libvirtxml.StorageVolumeTarget{
			Format: &libvirtxml.StorageVolumeTargetFormat{Type: "qcow2"},
			Compat: "1.1",
		},
		BackingStore: backing,
	}
}

// CreateVolume creates volume v.ID as a qcow2 image on its pool, named
// cloudcore-vol-<ID>.qcow2: an overlay backed by the template image when
// there is a template, grown to SizeBytes when that is larger than the
// template, else an empty image of SizeBytes.
func (h *host) CreateVolume(ctx context.Context, v hypervisors.VolumeSpec) (hypervisors.VolumeInfo, error) {
	op := "CreateVolume " + v.ID
	if err := hypervisors.CheckID("volume ID", v.ID); err != nil {
		return hypervisors.VolumeInfo{}, err
	}
	switch {
	case v.SizeBytes < 0:
		return hypervisors.VolumeInfo{}, fmt.Errorf("%w: %s: size %d is negative", hypervisors.ErrInvalid, op, v.SizeBytes)
	case v.Template == nil && v.SizeBytes == 0:
		return hypervisors.VolumeInfo{}, fmt.Errorf("%w: %s: an empty volume needs a size", hypervisors.ErrInvalid, op)
	}
	info := hypervisors.VolumeInfo{ID: v.ID, PoolID: v.Pool.ID}
	err := h.do(ctx, op, func(c *libvirt.Connect) error {
		pool, err := h.pool(c, v.Pool)
		if err != nil {
			return err
		}
		defer free(pool)
		name := volumeName(v.ID)
		if vol, err := pool.LookupStorageVolByName(name); err == nil {
			free(vol)
			return fmt.Errorf("%w: %s: volume %s exists", hypervisors.ErrConflict, op, v.ID)
		}
		var backing *libvirtxml.StorageVolumeBackingStore
		capacity := v.SizeBytes
		if v.Template != nil {
			if backing, err = h.templateImage(ctx, c, pool, *v.Template); err != nil {
				return err
			}
			capacity = 0 // the template's size, grown below
		}
		doc, err := volumeDefinition(name, capacity, backing).Marshal()
		if err != nil {
			return err
		}
		vol, err := pool.StorageVolCreateXML(doc, 0)
		if err != nil {
			return wrap(op, err)
		}
		defer free(vol)
		size, err := growVolume(vol, v.SizeBytes)
		if err != nil {
			_ = vol.Delete(0)
			return fmt.Errorf("%s: %w", op, err)
		}
		info.SizeBytes = size
		return nil
	})
	return info, err
}

// growVolume grows vol to want bytes when it is smaller, and returns its
// size. A want below the volume's size fails with ErrInvalid; 0 keeps it.
func growVolume(vol *libvirt.StorageVol, want int64) (int64, error) {
	vi, err := vol.GetInfo()
	if err != nil {
		return 0, wrap("reading the volume's size", err)
	}
	size := int64(vi.Capacity)
	switch {
	case want == 0 || want == size:
		return size, nil
	case want < size:
		return 0, fmt.Errorf("%w: %d bytes is less than the template's %d", hypervisors.ErrInvalid, want, size)
	}
	if err := vol.Resize(uint64(want), 0); err != nil {
		return 0, wrap("growing the volume", err)
	}
	return want, nil
}

// volume looks up volume id on ref's pool (ErrNotFound when it is not
// there). The caller frees it.
func (h *host) volume(c *libvirt.Connect, ref hypervisors.StoragePoolRef, id string) (*libvirt.StorageVol, error) {
	if err := hypervisors.CheckID("volume ID", id); err != nil {
		return nil, err
	}
	pool, err := h.pool(c, ref)
	if err != nil {
		return nil, err
	}
	defer free(pool)
	vol, err := pool.LookupStorageVolByName(volumeName(id))
	return vol, wrap("looking up volume "+id, err)
}

// ResizeVolume grows a volume: through QEMU (block resize) when a running
// VM uses it, else with qemu-img. Shrinking fails with ErrInvalid, the
// volume's own size succeeds.
func (h *host) ResizeVolume(ctx context.Context, ref hypervisors.StoragePoolRef, volumeID string, sizeBytes int64) error {
	op := "ResizeVolume " + volumeID
	return h.do(ctx, op, func(c *libvirt.Connect) error {
		vol, err := h.volume(c, ref, volumeID)
		if err != nil {
			return err
		}
		defer free(vol)
		vi, err := vol.GetInfo()
		if err != nil {
			return wrap(op, err)
		}
		switch size := int64(vi.Capacity); {
		case sizeBytes < size:
			return fmt.Errorf("%w: %s: volumes only grow, and %d bytes is less than its %d", hypervisors.ErrInvalid, op, sizeBytes, size)
		case sizeBytes == size:
			return nil
		}
		path, err := vol.GetPath()
		if err != nil {
			return wrap(op, err)
		}
		vmID, disk, err := runningUser(c, path)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		if vmID != "" {
			dom, err := c.LookupDomainByUUIDString(vmID)
			if err != nil {
				return wrap(op, err)
			}
			defer free(dom)
			return wrap(op+" (in use by a running VM)", dom.BlockResize(disk, uint64(sizeBytes), libvirt.DOMAIN_BLOCK_RESIZE_BYTES))
		}
		return wrap(op, vol.Resize(uint64(sizeBytes), 0))
	})
}

// runningUser finds the running VM of ours that has the image at path as
// a disk: its ID and the disk's target name, or "" when there is none.
func runningUser(c *libvirt.Connect, path string) (vmID, target string, err error) {
	doms, err := c.ListAllDomains(libvirt.CONNECT_LIST_DOMAINS_ACTIVE)
	if err != nil {
		return "", "", wrap("listing running domains", err)
	}
	defer freeAll(doms)
	for i := range doms {
		def, err := definitionOf(&doms[i], 0)
		if err != nil || def.vmID() == "" {
			continue // gone meanwhile, or not ours
		}
		if dev, ok := def.diskAt(path); ok {
			return def.vmID(), dev, nil
		}
	}
	return "", "", nil
}

// DeleteVolume deletes a volume; it succeeds when the volume is not there.
func (h *host) DeleteVolume(ctx context.Context, ref hypervisors.StoragePoolRef, volumeID string) error {
	op := "DeleteVolume " + volumeID
	if err := hypervisors.CheckID("volume ID", volumeID); err != nil {
		return err
	}
	return h.do(ctx, op, func(c *libvirt.Connect) error {
		pool, err := h.pool(c, ref)
		if err != nil {
			return err
		}
		defer free(pool)
		return deleteVolume(pool, volumeName(volumeID))
	})
}

// ListVolumes lists the volumes named cloudcore-vol-<UUID>.qcow2 on the
// pool, after rescanning it when it is shared (NFS), where other hosts
// create volumes too.
func (h *host) ListVolumes(ctx context.Context, ref hypervisors.StoragePoolRef) ([]hypervisors.VolumeInfo, error) {
	var list []hypervisors.VolumeInfo
	err := h.do(ctx, "ListVolumes", func(c *libvirt.Connect) error {
		def, err := poolDefinition(ref)
		if err != nil {
			return err
		}
		pool, err := h.pool(c, ref)
		if err != nil {
			return err
		}
		defer free(pool)
		if def.Type == "netfs" {
			if err := pool.Refresh(0); err != nil {
				return wrap("refreshing storage pool "+def.Name, err)
			}
		}
		vols, err := pool.ListAllStorageVolumes(0)
		if err != nil {
			return wrap("listing the volumes of storage pool "+def.Name, err)
		}
		defer freeAll(vols)
		for i := range vols {
			name, err := vols[i].GetName()
			id, ours := idFrom(name, volumePrefix, volumeSuffix)
			if err != nil || !ours {
				continue // deleted meanwhile, or not ours
			}
			vi, err := vols[i].GetInfo()
			if errors.Is(err, libvirt.ERR_NO_STORAGE_VOL) {
				continue
			}
			if err != nil {
				return wrap("reading volume "+name, err)
			}
			list = append(list, hypervisors.VolumeInfo{ID: id, PoolID: ref.ID, SizeBytes: int64(vi.Capacity)})
		}
		return nil
	})
	return list, err
}
