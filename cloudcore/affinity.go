package cloudcore

import (
	"context"
	"fmt"
	"slices"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
)

// Affinity group types, as in CloudStack.
const (
	// AntiAffinity places members on different hosts.
	AntiAffinity = "host anti-affinity"
	// Affinity places members on the same host.
	Affinity = "host affinity"
)

// AffinityTypes lists the affinity group types.
var AffinityTypes = []string{AntiAffinity, Affinity}

// AffinityGroup constrains where its member instances are placed.
type AffinityGroup struct {
	Meta
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
}

func (g *AffinityGroup) columns() store.Object {
	return store.Object{Kind: store.KindAffinityGroup, Name: g.Name}
}

// AffinityGroupSpec creates a group.
type AffinityGroupSpec struct {
	Name        string
	Type        string
	Description string
}

// AffinityGroupUpdate changes a group; nil fields stay.
type AffinityGroupUpdate struct {
	Name        *string
	Description *string
}

// AffinityGroupService manages affinity groups.
type AffinityGroupService struct{ c *Cloud }

// Create adds a group; names are unique.
func (s *AffinityGroupService) Create(ctx context.Context, spec AffinityGroupSpec) (*AffinityGroup, error) {
	if err := validName("name", spec.Name); err != nil {
		return nil, err
	}
	if !slices.Contains(AffinityTypes, spec.Type) {
		return nil, invalid("type", "unknown affinity type %q; use %q or %q", spec.Type, AntiAffinity, Affinity)
	}
	g := &AffinityGroup{Name: spec.Name, Type: spec.Type, Description: spec.Description}
	return create(ctx, s.c, g, "", nil, nil)
}

// Get returns a group.
func (s *AffinityGroupService) Get(ctx context.Context, id string) (*AffinityGroup, error) {
	return view(ctx, s.c, func(tx store.Tx) (*AffinityGroup, error) {
		return getObj[AffinityGroup](ctx, tx, store.KindAffinityGroup, "", id)
	})
}

// List returns all groups.
func (s *AffinityGroupService) List(ctx context.Context) ([]*AffinityGroup, error) {
	return view(ctx, s.c, func(tx store.Tx) ([]*AffinityGroup, error) {
		return listObj[AffinityGroup](ctx, tx, store.KindAffinityGroup, store.Filter{})
	})
}

// Members lists the instance IDs in a group.
func (s *AffinityGroupService) Members(ctx context.Context, id string) ([]string, error) {
	return view(ctx, s.c, func(tx store.Tx) ([]string, error) { return tx.AffinityMembers(ctx, id) })
}

// Update changes a group in place.
func (s *AffinityGroupService) Update(ctx context.Context, id string, u AffinityGroupUpdate) (*AffinityGroup, error) {
	return modify(ctx, s.c, store.KindAffinityGroup, "affinity_group.update", id, func(tx store.Tx, g *AffinityGroup) error {
		set(&g.Description, u.Description)
		return setName(&g.Name, u.Name)
	})
}

// Delete removes a group without members.
func (s *AffinityGroupService) Delete(ctx context.Context, id string) error {
	return remove[AffinityGroup](ctx, s.c, store.KindAffinityGroup, "affinity_group.delete", id, func(tx store.Tx, g *AffinityGroup) error {
		members, err := tx.AffinityMembers(ctx, id)
		if err != nil {
			return err
		}
		if len(members) > 0 {
			return fmt.Errorf("affinity group %s has %d member(s); destroy them or take them out first: %w", g.Name, len(members), ErrConflict)
		}
		return nil
	})
}
