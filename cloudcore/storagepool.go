package cloudcore

import (
	"context"
	"net/url"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// StoragePool is primary storage for instance volumes, reachable by the
// hosts of one cluster or, when ClusterID is empty, of the whole zone.
type StoragePool struct {
	Meta
	Name          string `json:"name"`
	ZoneID        string `json:"zone_id"`
	ClusterID     string `json:"cluster_id,omitempty"`
	URL           string `json:"url"`
	CapacityBytes int64  `json:"capacity_bytes"`
	Enabled       bool   `json:"enabled"`
}

func (p *StoragePool) columns() store.Object {
	return store.Object{Kind: store.KindStoragePool, Name: p.Name, Scope: p.ZoneID, ZoneID: p.ZoneID, ParentID: p.ClusterID}
}

func (p *StoragePool) ref() hypervisors.StoragePoolRef {
	return hypervisors.StoragePoolRef{ID: p.ID, URL: p.URL}
}

func (p *StoragePool) capacity() store.PoolCapacity {
	return store.PoolCapacity{PoolID: p.ID, ZoneID: p.ZoneID, ClusterID: p.ClusterID, Total: p.CapacityBytes, Enabled: p.Enabled}
}

// StoragePoolSpec creates a pool. Give ClusterID for a cluster-wide pool,
// or only ZoneID for a zone-wide one.
type StoragePoolSpec struct {
	Name      string
	ZoneID    string
	ClusterID string
	// URL locates the storage: file:///path (a directory on the hosts),
	// nfs://server/export, or a datastore/SR name as the hypervisor calls it.
	URL           string
	CapacityBytes int64
	Disabled      bool
}

// StoragePoolUpdate changes a pool; nil fields stay.
type StoragePoolUpdate struct {
	Name          *string
	CapacityBytes *int64
	Enabled       *bool
}

// StoragePoolService manages primary storage.
type StoragePoolService struct{ c *Cloud }

// Create adds a storage pool; names are unique within the zone.
func (s *StoragePoolService) Create(ctx context.Context, spec StoragePoolSpec) (*StoragePool, error) {
	if err := validName("name", spec.Name); err != nil {
		return nil, err
	}
	if u, err := url.Parse(spec.URL); err != nil || u.Scheme == "" {
		return nil, invalid("url", "%q is not a URL; use file:///path, nfs://server/export, a VMware datastore as datastore://name or a XenServer SR as sr:<name>", spec.URL)
	}
	if spec.CapacityBytes <= 0 {
		return nil, invalid("capacity_gib", "must be positive")
	}
	p := &StoragePool{Name: spec.Name, ZoneID: spec.ZoneID, ClusterID: spec.ClusterID, URL: spec.URL,
		CapacityBytes: spec.CapacityBytes, Enabled: !spec.Disabled}
	return create(ctx, s.c, p, " in this zone", func(tx store.Tx) error {
		if spec.ClusterID == "" {
			return exists[Zone](ctx, tx, store.KindZone, "zone_id", spec.ZoneID)
		}
		cl, err := getObj[Cluster](ctx, tx, store.KindCluster, "cluster_id", spec.ClusterID)
		if err != nil {
			return err
		}
		if spec.ZoneID != "" && spec.ZoneID != cl.ZoneID {
			return invalid("zone_id", "cluster %s is in zone %s, not %s; leave zone_id empty or make them agree", cl.Name, cl.ZoneID, spec.ZoneID)
		}
		p.ZoneID = cl.ZoneID
		return nil
	}, func(tx store.Tx) error { return tx.PutPoolCapacity(ctx, p.capacity()) })
}

// Get returns a pool.
func (s *StoragePoolService) Get(ctx context.Context, id string) (*StoragePool, error) {
	return view(ctx, s.c, func(tx store.Tx) (*StoragePool, error) {
		return getObj[StoragePool](ctx, tx, store.KindStoragePool, "", id)
	})
}

// List returns the pools of a zone ("" for all).
func (s *StoragePoolService) List(ctx context.Context, zoneID string) ([]*StoragePool, error) {
	return view(ctx, s.c, func(tx store.Tx) ([]*StoragePool, error) {
		return listObj[StoragePool](ctx, tx, store.KindStoragePool, store.Filter{ZoneID: zoneID})
	})
}

// Capacity reports the pool's total and used bytes.
func (s *StoragePoolService) Capacity(ctx context.Context, id string) (store.PoolCapacity, error) {
	return view(ctx, s.c, func(tx store.Tx) (store.PoolCapacity, error) { return tx.GetPoolCapacity(ctx, id) })
}

// Update changes a pool in place. Capacity cannot shrink below what is used.
func (s *StoragePoolService) Update(ctx context.Context, id string, u StoragePoolUpdate) (*StoragePool, error) {
	return modify(ctx, s.c, store.KindStoragePool, "storage_pool.update", id, func(tx store.Tx, p *StoragePool) error {
		if err := setName(&p.Name, u.Name); err != nil {
			return err
		}
		set(&p.Enabled, u.Enabled)
		cur, err := tx.GetPoolCapacity(ctx, id)
		if err != nil {
			return err
		}
		if u.CapacityBytes != nil {
			if *u.CapacityBytes < cur.Used {
				return invalid("capacity_gib", "%d bytes are in use; capacity cannot be smaller", cur.Used)
			}
			p.CapacityBytes = *u.CapacityBytes
		}
		return tx.PutPoolCapacity(ctx, p.capacity())
	})
}

// Delete removes a pool that holds no volumes.
func (s *StoragePoolService) Delete(ctx context.Context, id string) error {
	return remove[StoragePool](ctx, s.c, store.KindStoragePool, "storage_pool.delete", id, func(tx store.Tx, p *StoragePool) error {
		cur, err := tx.GetPoolCapacity(ctx, id)
		if err != nil {
			return err
		}
		if cur.Used > 0 {
			return fieldErr(ErrConflict, "id", "storage pool %s still holds %d bytes of volumes; destroy the instances on it first", p.Name, cur.Used)
		}
		return tx.DeletePoolCapacity(ctx, id)
	})
}
