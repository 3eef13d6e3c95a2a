package cloudcore

import (
	"context"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
)

// Pod is a rack or row of a zone: it groups clusters.
type Pod struct {
	Meta
	Name        string `json:"name"`
	ZoneID      string `json:"zone_id"`
	Description string `json:"description,omitempty"`
}

func (p *Pod) columns() store.Object {
	return store.Object{Kind: store.KindPod, Name: p.Name, Scope: p.ZoneID, ZoneID: p.ZoneID, ParentID: p.ZoneID}
}

// PodSpec creates a pod.
type PodSpec struct {
	Name        string
	ZoneID      string
	Description string
}

// PodUpdate changes a pod; nil fields stay.
type PodUpdate struct {
	Name        *string
	Description *string
}

// PodService manages pods.
type PodService struct{ c *Cloud }

// Create adds a pod to a zone; names are unique within the zone.
func (s *PodService) Create(ctx context.Context, spec PodSpec) (*Pod, error) {
	if err := validName("name", spec.Name); err != nil {
		return nil, err
	}
	p := &Pod{Name: spec.Name, ZoneID: spec.ZoneID, Description: spec.Description}
	return create(ctx, s.c, p, " in this zone", func(tx store.Tx) error {
		return exists[Zone](ctx, tx, store.KindZone, "zone_id", spec.ZoneID)
	}, nil)
}

// Get returns a pod.
func (s *PodService) Get(ctx context.Context, id string) (*Pod, error) {
	return view(ctx, s.c, func(tx store.Tx) (*Pod, error) { return getObj[Pod](ctx, tx, store.KindPod, "", id) })
}

// List returns the pods of a zone ("" for all zones).
func (s *PodService) List(ctx context.Context, zoneID string) ([]*Pod, error) {
	return view(ctx, s.c, func(tx store.Tx) ([]*Pod, error) {
		return listObj[Pod](ctx, tx, store.KindPod, store.Filter{ZoneID: zoneID})
	})
}

// Update changes a pod in place.
func (s *PodService) Update(ctx context.Context, id string, u PodUpdate) (*Pod, error) {
	return modify(ctx, s.c, store.KindPod, "pod.update", id, func(tx store.Tx, p *Pod) error {
		set(&p.Description, u.Description)
		return setName(&p.Name, u.Name)
	})
}

// Delete removes a pod without clusters.
func (s *PodService) Delete(ctx context.Context, id string) error {
	return remove[Pod](ctx, s.c, store.KindPod, "pod.delete", id, func(tx store.Tx, p *Pod) error {
		return mustBeEmpty(ctx, tx, "pod", p.Name, child{store.KindCluster, store.Filter{ParentID: id}})
	})
}
