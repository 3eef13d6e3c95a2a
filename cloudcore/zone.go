package cloudcore

import (
	"context"
	"net/netip"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
)

// Zone is the top of the hierarchy: a data centre with its own pods,
// networks and templates.
type Zone struct {
	Meta
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	DNS         []netip.Addr `json:"dns,omitempty"` // default resolvers for guest networks
	Enabled     bool         `json:"enabled"`
	// HA settings of the zone's clusters; zero fields take the defaults.
	HA HASettings `json:"ha"`
}

func (z *Zone) columns() store.Object {
	return store.Object{Kind: store.KindZone, Name: z.Name, ZoneID: z.ID}
}

// ZoneSpec creates a zone.
type ZoneSpec struct {
	Name        string
	Description string
	DNS         []string
	// Disabled creates the zone with allocation disabled.
	Disabled bool
	HA       HASettings
}

// ZoneUpdate changes a zone; nil fields stay as they are.
type ZoneUpdate struct {
	Name        *string
	Description *string
	DNS         *[]string
	Enabled     *bool
	HA          *HASettings // replaces all of them
}

// ZoneService manages zones.
type ZoneService struct{ c *Cloud }

// Create adds a zone. Names are unique.
func (s *ZoneService) Create(ctx context.Context, spec ZoneSpec) (*Zone, error) {
	if err := validName("name", spec.Name); err != nil {
		return nil, err
	}
	dns, err := parseAddrs("dns", spec.DNS)
	if err != nil {
		return nil, err
	}
	if err := spec.HA.Validate(); err != nil {
		return nil, err
	}
	z := &Zone{Name: spec.Name, Description: spec.Description, DNS: dns, Enabled: !spec.Disabled, HA: spec.HA}
	return create(ctx, s.c, z, "", nil, nil)
}

// Get returns a zone by ID.
func (s *ZoneService) Get(ctx context.Context, id string) (*Zone, error) {
	return view(ctx, s.c, func(tx store.Tx) (*Zone, error) {
		return getObj[Zone](ctx, tx, store.KindZone, "", id)
	})
}

// GetByName returns a zone by name.
func (s *ZoneService) GetByName(ctx context.Context, name string) (*Zone, error) {
	return view(ctx, s.c, func(tx store.Tx) (*Zone, error) {
		return getByName[Zone](ctx, tx, store.KindZone, "", name)
	})
}

// List returns zones in creation order; name filters when not empty.
func (s *ZoneService) List(ctx context.Context, name string) ([]*Zone, error) {
	return view(ctx, s.c, func(tx store.Tx) ([]*Zone, error) {
		return listObj[Zone](ctx, tx, store.KindZone, store.Filter{Name: name})
	})
}

// Update changes a zone in place.
func (s *ZoneService) Update(ctx context.Context, id string, u ZoneUpdate) (*Zone, error) {
	return modify(ctx, s.c, store.KindZone, "zone.update", id, func(tx store.Tx, z *Zone) error {
		if err := setName(&z.Name, u.Name); err != nil {
			return err
		}
		set(&z.Description, u.Description)
		set(&z.Enabled, u.Enabled)
		if u.DNS != nil {
			dns, err := parseAddrs("dns", *u.DNS)
			if err != nil {
				return err
			}
			z.DNS = dns
		}
		if u.HA != nil {
			if err := u.HA.Validate(); err != nil {
				return err
			}
			z.HA = *u.HA
		}
		return nil
	})
}

// Delete removes an empty zone; ErrConflict while it holds pods, networks,
// templates or instances.
func (s *ZoneService) Delete(ctx context.Context, id string) error {
	return remove[Zone](ctx, s.c, store.KindZone, "zone.delete", id, func(tx store.Tx, z *Zone) error {
		return mustBeEmpty(ctx, tx, "zone", z.Name,
			child{store.KindPod, store.Filter{ZoneID: id}},
			child{store.KindNetwork, store.Filter{ZoneID: id}},
			child{store.KindTemplate, store.Filter{ZoneID: id}},
			child{store.KindStoragePool, store.Filter{ZoneID: id}},
			child{store.KindInstance, store.Filter{ZoneID: id}})
	})
}
