package cloudcore

import (
	"context"
	"math"
	"slices"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
)

// Hypervisors lists the hypervisor types a cluster can have.
var Hypervisors = []string{"simulator", "kvm", "xenserver", "vmware"}

// Cluster is a set of hosts of one hypervisor type that share primary
// storage; over-provisioning factors apply to all its hosts.
type Cluster struct {
	Meta
	Name       string `json:"name"`
	ZoneID     string `json:"zone_id"`
	PodID      string `json:"pod_id"`
	Hypervisor string `json:"hypervisor"`
	// CPUOvercommit and MemoryOvercommit multiply each host's capacity for
	// placement (CloudStack's cpu/mem.overprovisioning.factor), 1 to 16.
	CPUOvercommit    float64 `json:"cpu_overcommit"`
	MemoryOvercommit float64 `json:"memory_overcommit"`
	Enabled          bool    `json:"enabled"`
	// HA settings; zero fields take the zone's (see HASettings).
	HA HASettings `json:"ha"`
}

func (cl *Cluster) columns() store.Object {
	return store.Object{Kind: store.KindCluster, Name: cl.Name, Scope: cl.PodID, ZoneID: cl.ZoneID, ParentID: cl.PodID}
}

// ClusterSpec creates a cluster. Zero overcommit factors mean 1.
type ClusterSpec struct {
	Name             string
	PodID            string
	Hypervisor       string
	CPUOvercommit    float64
	MemoryOvercommit float64
	Disabled         bool
	HA               HASettings
}

// ClusterUpdate changes a cluster; nil fields stay.
type ClusterUpdate struct {
	Name             *string
	CPUOvercommit    *float64
	MemoryOvercommit *float64
	Enabled          *bool
	HA               *HASettings // replaces all of them
}

// ClusterService manages clusters.
type ClusterService struct{ c *Cloud }

// Create adds a cluster to a pod; names are unique within the pod.
func (s *ClusterService) Create(ctx context.Context, spec ClusterSpec) (*Cluster, error) {
	if err := validName("name", spec.Name); err != nil {
		return nil, err
	}
	if !slices.Contains(Hypervisors, spec.Hypervisor) {
		return nil, invalid("hypervisor", "unknown hypervisor %q; use one of %v", spec.Hypervisor, Hypervisors)
	}
	cl := &Cluster{Name: spec.Name, PodID: spec.PodID, Hypervisor: spec.Hypervisor,
		CPUOvercommit: orOne(spec.CPUOvercommit), MemoryOvercommit: orOne(spec.MemoryOvercommit), Enabled: !spec.Disabled, HA: spec.HA}
	if err := cl.validate(); err != nil {
		return nil, err
	}
	return create(ctx, s.c, cl, " in this pod", func(tx store.Tx) error {
		pod, err := getObj[Pod](ctx, tx, store.KindPod, "pod_id", spec.PodID)
		if err == nil {
			cl.ZoneID = pod.ZoneID
		}
		return err
	}, nil)
}

func (cl *Cluster) validate() error {
	for _, f := range []struct {
		field string
		v     float64
	}{{"cpu_overcommit", cl.CPUOvercommit}, {"memory_overcommit", cl.MemoryOvercommit}} {
		if f.v < 1 || f.v > 16 || math.IsNaN(f.v) {
			return invalid(f.field, "%v is out of range; use a factor from 1 to 16", f.v)
		}
	}
	return cl.HA.Validate()
}

func orOne(f float64) float64 {
	if f == 0 {
		return 1
	}
	return f
}

// Get returns a cluster.
func (s *ClusterService) Get(ctx context.Context, id string) (*Cluster, error) {
	return view(ctx, s.c, func(tx store.Tx) (*Cluster, error) {
		return getObj[Cluster](ctx, tx, store.KindCluster, "", id)
	})
}

// List returns the clusters of a zone ("" for all).
func (s *ClusterService) List(ctx context.Context, zoneID string) ([]*Cluster, error) {
	return view(ctx, s.c, func(tx store.Tx) ([]*Cluster, error) {
		return listObj[Cluster](ctx, tx, store.KindCluster, store.Filter{ZoneID: zoneID})
	})
}

// Update changes a cluster in place; new overcommit factors apply to the
// capacity of its hosts at once (instances already placed stay).
func (s *ClusterService) Update(ctx context.Context, id string, u ClusterUpdate) (*Cluster, error) {
	return modify(ctx, s.c, store.KindCluster, "cluster.update", id, func(tx store.Tx, cl *Cluster) error {
		if err := setName(&cl.Name, u.Name); err != nil {
			return err
		}
		set(&cl.CPUOvercommit, u.CPUOvercommit)
		set(&cl.MemoryOvercommit, u.MemoryOvercommit)
		set(&cl.Enabled, u.Enabled)
		set(&cl.HA, u.HA)
		if err := cl.validate(); err != nil {
			return err
		}
		hosts, err := listObj[Host](ctx, tx, store.KindHost, store.Filter{ParentID: cl.ID})
		if err != nil {
			return err
		}
		for _, h := range hosts {
			if err := tx.PutHostCapacity(ctx, h.capacity(cl)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Delete removes a cluster without hosts or cluster-scoped storage pools.
func (s *ClusterService) Delete(ctx context.Context, id string) error {
	return remove[Cluster](ctx, s.c, store.KindCluster, "cluster.delete", id, func(tx store.Tx, cl *Cluster) error {
		return mustBeEmpty(ctx, tx, "cluster", cl.Name,
			child{store.KindHost, store.Filter{ParentID: id}},
			child{store.KindStoragePool, store.Filter{ParentID: id}})
	})
}
