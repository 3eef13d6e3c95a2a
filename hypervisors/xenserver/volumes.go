package xenserver

import (
	"context"
	"fmt"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver/xenapi"
)

// srOf returns the SR that pool names: sr:<name label or UUID> (or
// sr://...). ErrNotFound when the pool has no such SR, ErrInvalid when the
// URL names none or several SRs.
func (h *host) srOf(ctx context.Context, pool hypervisors.StoragePoolRef) (xenapi.SRRef, error) {
	name, ok := objectName(pool.URL, "sr")
	if !ok || name == "" {
		return "", fmt.Errorf("%w: storage pool %s: URL %q: give sr:<SR name label or UUID>", hypervisors.ErrInvalid, pool.ID, pool.URL)
	}
	srs, err := h.c.SR.GetAllRecords(ctx)
	if err != nil {
		return "", wrap("listing SRs", err)
	}
	var found []xenapi.SRRef
	for ref, rec := range srs {
		if rec.UUID == name || rec.NameLabel == name {
			found = append(found, ref)
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("%w: storage pool %s: the pool has no SR %q", hypervisors.ErrNotFound, pool.ID, name)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%w: storage pool %s: %d SRs are named %q; give the SR's UUID", hypervisors.ErrInvalid, pool.ID, len(found), name)
}

// namedVDI returns the VDI named label on sr that is not a snapshot;
// ErrNotFound when there is none.
func (h *host) namedVDI(ctx context.Context, sr xenapi.SRRef, label string) (xenapi.VDIRef, xenapi.VDIRecord, error) {
	refs, err := h.c.VDI.GetByNameLabel(ctx, label)
	if err != nil {
		return "", xenapi.VDIRecord{}, wrap("looking up VDI "+label, err)
	}
	for _, ref := range refs {
		rec, err := h.c.VDI.GetRecord(ctx, ref)
		if xenapi.IsCode(err, xenapi.CodeHandleInvalid) {
			continue // destroyed meanwhile
		}
		if err != nil {
			return "", xenapi.VDIRecord{}, wrap("reading VDI "+label, err)
		}
		if rec.SR == sr && !rec.IsASnapshot {
			return ref, rec, nil
		}
	}
	return "", xenapi.VDIRecord{}, fmt.Errorf("%w: no VDI %s on the SR", hypervisors.ErrNotFound, label)
}

// volume returns the VDI of volume id on pool.
func (h *host) volume(ctx context.Context, pool hypervisors.StoragePoolRef, id string) (xenapi.VDIRef, xenapi.VDIRecord, error) {
	if err := hypervisors.CheckID("volume ID", id); err != nil {
		return "", xenapi.VDIRecord{}, err
	}
	sr, err := h.srOf(ctx, pool)
	if err != nil {
		return "", xenapi.VDIRecord{}, err
	}
	return h.namedVDI(ctx, sr, volumePrefix+id)
}

// CreateVolume makes VDI cloudcore-vol-<ID> of SizeBytes (at least the
// template's size) on the pool's SR and, from a template, copies the
// template's VDI (see templateVDI) into it. The VDI has its name from the
// start, so that one a crash leaves half-copied is found and deleted by
// ID; when a later step fails, the VDI is destroyed.
func (h *host) CreateVolume(ctx context.Context, v hypervisors.VolumeSpec) (hypervisors.VolumeInfo, error) {
	op := "CreateVolume " + v.ID
	if err := hypervisors.CheckID("volume ID", v.ID); err != nil {
		return hypervisors.VolumeInfo{}, err
	}
	if v.SizeBytes < 0 || v.Template == nil && v.SizeBytes == 0 {
		return hypervisors.VolumeInfo{}, fmt.Errorf("%w: %s: size %d bytes; an empty volume needs a positive size", hypervisors.ErrInvalid, op, v.SizeBytes)
	}
	sr, err := h.srOf(ctx, v.Pool)
	if err != nil {
		return hypervisors.VolumeInfo{}, fmt.Errorf("%s: %w", op, err)
	}
	name := volumePrefix + v.ID
	if _, _, err := h.namedVDI(ctx, sr, name); err == nil {
		return hypervisors.VolumeInfo{}, fmt.Errorf("%w: %s: the volume exists", hypervisors.ErrConflict, op)
	} else if !isNotFound(err) {
		return hypervisors.VolumeInfo{}, fmt.Errorf("%s: %w", op, err)
	}
	size := v.SizeBytes
	var tpl xenapi.VDIRef
	if v.Template != nil {
		var tplRec xenapi.VDIRecord
		if tpl, tplRec, err = h.templateVDI(ctx, sr, *v.Template); err != nil {
			return hypervisors.VolumeInfo{}, fmt.Errorf("%s: template %s: %w", op, v.Template.ID, err)
		}
		if size != 0 && size < int64(tplRec.VirtualSize) {
			return hypervisors.VolumeInfo{}, fmt.Errorf("%w: %s: %d bytes is smaller than the template's %d", hypervisors.ErrInvalid, op, size, tplRec.VirtualSize)
		}
		size = max(size, int64(tplRec.VirtualSize))
	}
	ref, err := h.c.VDI.Create(ctx, xenapi.VDISpec{NameLabel: name, SR: sr, VirtualSize: xenapi.Int(size),
		Type: xenapi.VDITypeUser, OtherConfig: map[string]string{keyID: v.ID}})
	if err != nil {
		return hypervisors.VolumeInfo{}, wrap(op, err)
	}
	if tpl != "" {
		err = wrap(op+": copying the template", h.c.VDI.CopyInto(ctx, tpl, ref))
	}
	var rec xenapi.VDIRecord
	if err == nil {
		rec, err = h.c.VDI.GetRecord(ctx, ref)
		err = wrap(op, err)
	}
	if err != nil {
		h.destroyVDIs(ref)
		return hypervisors.VolumeInfo{}, err
	}
	return hypervisors.VolumeInfo{ID: v.ID, PoolID: v.Pool.ID, SizeBytes: int64(rec.VirtualSize)}, nil
}

// destroyVDIs destroys the VDIs that exist of refs, as clean-up after a
// failure: with a context of its own, ignoring what is gone already.
func (h *host) destroyVDIs(refs ...xenapi.VDIRef) {
	ctx, cancel := cleanupContext()
	defer cancel()
	for _, ref := range refs {
		if !xenapi.IsNull(ref) {
			_ = h.c.VDI.Destroy(ctx, ref)
		}
	}
}

// ResizeVolume grows the volume's VDI; ErrInvalid for a smaller size.
func (h *host) ResizeVolume(ctx context.Context, pool hypervisors.StoragePoolRef, id string, size int64) error {
	op := "ResizeVolume " + id
	ref, rec, err := h.volume(ctx, pool, id)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	switch {
	case size < int64(rec.VirtualSize):
		return fmt.Errorf("%w: %s: %d bytes is smaller than its %d; volumes only grow", hypervisors.ErrInvalid, op, size, rec.VirtualSize)
	case size == int64(rec.VirtualSize):
		return nil
	}
	return wrap(op, h.c.VDI.Resize(ctx, ref, size))
}

// DeleteVolume destroys the volume's VDI; it succeeds when there is none.
// ErrConflict while a running VM uses it.
func (h *host) DeleteVolume(ctx context.Context, pool hypervisors.StoragePoolRef, id string) error {
	op := "DeleteVolume " + id
	if err := hypervisors.CheckID("volume ID", id); err != nil {
		return err
	}
	sr, err := h.srOf(ctx, pool)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	ref, _, err := h.namedVDI(ctx, sr, volumePrefix+id)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	err = h.c.VDI.Destroy(ctx, ref)
	if xenapi.IsCode(err, xenapi.CodeHandleInvalid) {
		return nil
	}
	return wrap(op, err)
}

// ListVolumes lists the VDIs named cloudcore-vol-<ID> on the pool's SR.
func (h *host) ListVolumes(ctx context.Context, pool hypervisors.StoragePoolRef) ([]hypervisors.VolumeInfo, error) {
	sr, err := h.srOf(ctx, pool)
	if err != nil {
		return nil, fmt.Errorf("ListVolumes: %w", err)
	}
	vdis, err := h.c.VDI.GetAllRecords(ctx)
	if err != nil {
		return nil, wrap("ListVolumes", err)
	}
	var list []hypervisors.VolumeInfo
	for _, rec := range vdis {
		if id, ok := idFrom(rec.NameLabel, volumePrefix); ok && rec.SR == sr && !rec.IsASnapshot {
			list = append(list, hypervisors.VolumeInfo{ID: id, PoolID: pool.ID, SizeBytes: int64(rec.VirtualSize)})
		}
	}
	return list, nil
}
