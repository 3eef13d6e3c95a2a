package cloudcore

import (
	"context"
	"net/url"
	"slices"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// TemplateFormats lists the disk image formats a template can have.
var TemplateFormats = []string{"qcow2", "raw", "vhd", "vmdk", "ova"}

// Template is a disk image instances boot from, registered in one zone.
type Template struct {
	Meta
	Name   string `json:"name"`
	ZoneID string `json:"zone_id"`
	URL    string `json:"url"`
	Format string `json:"format"`
	// Hypervisor restricts the template to clusters of that type; "" fits any.
	Hypervisor string `json:"hypervisor,omitempty"`
	// SizeBytes is the image's virtual size: the smallest root disk.
	SizeBytes int64  `json:"size_bytes"`
	OSType    string `json:"os_type,omitempty"`
}

func (t *Template) columns() store.Object {
	return store.Object{Kind: store.KindTemplate, Name: t.Name, Scope: t.ZoneID, ZoneID: t.ZoneID}
}

func (t *Template) ref() *hypervisors.TemplateRef {
	return &hypervisors.TemplateRef{ID: t.ID, URL: t.URL, Format: t.Format}
}

// TemplateSpec registers a template.
type TemplateSpec struct {
	Name       string
	ZoneID     string
	URL        string // http(s)://, file:// or the hypervisor's own template name
	Format     string
	Hypervisor string
	SizeBytes  int64
	OSType     string
}

// TemplateUpdate changes a template; nil fields stay.
type TemplateUpdate struct {
	Name   *string
	OSType *string
}

// TemplateService manages templates.
type TemplateService struct{ c *Cloud }

// Create registers a template; names are unique within the zone.
func (s *TemplateService) Create(ctx context.Context, spec TemplateSpec) (*Template, error) {
	if err := validName("name", spec.Name); err != nil {
		return nil, err
	}
	if u, err := url.Parse(spec.URL); err != nil || u.Scheme == "" {
		return nil, invalid("url", "%q is not a URL; use http(s)://..., file:///path, template://name, on VMware datastore://<datastore>/<path>.vmdk or vm:<name>, on XenServer vdi:<name>", spec.URL)
	}
	if !slices.Contains(TemplateFormats, spec.Format) {
		return nil, invalid("format", "unknown format %q; use one of %v", spec.Format, TemplateFormats)
	}
	if spec.Hypervisor != "" && !slices.Contains(Hypervisors, spec.Hypervisor) {
		return nil, invalid("hypervisor", "unknown hypervisor %q; use one of %v or leave it empty", spec.Hypervisor, Hypervisors)
	}
	if spec.SizeBytes < 0 {
		return nil, invalid("size_gib", "must not be negative")
	}
	t := &Template{Name: spec.Name, ZoneID: spec.ZoneID, URL: spec.URL, Format: spec.Format,
		Hypervisor: spec.Hypervisor, SizeBytes: spec.SizeBytes, OSType: spec.OSType}
	return create(ctx, s.c, t, " in this zone", func(tx store.Tx) error {
		return exists[Zone](ctx, tx, store.KindZone, "zone_id", spec.ZoneID)
	}, nil)
}

// Get returns a template.
func (s *TemplateService) Get(ctx context.Context, id string) (*Template, error) {
	return view(ctx, s.c, func(tx store.Tx) (*Template, error) {
		return getObj[Template](ctx, tx, store.KindTemplate, "", id)
	})
}

// List returns the templates of a zone ("" for all); name filters.
func (s *TemplateService) List(ctx context.Context, zoneID, name string) ([]*Template, error) {
	return view(ctx, s.c, func(tx store.Tx) ([]*Template, error) {
		return listObj[Template](ctx, tx, store.KindTemplate, store.Filter{ZoneID: zoneID, Name: name})
	})
}

// Update changes a template in place.
func (s *TemplateService) Update(ctx context.Context, id string, u TemplateUpdate) (*Template, error) {
	return modify(ctx, s.c, store.KindTemplate, "template.update", id, func(tx store.Tx, t *Template) error {
		set(&t.OSType, u.OSType)
		return setName(&t.Name, u.Name)
	})
}

// Delete unregisters a template. Instances made from it keep their volumes.
func (s *TemplateService) Delete(ctx context.Context, id string) error {
	return remove[Template](ctx, s.c, store.KindTemplate, "template.delete", id, func(store.Tx, *Template) error { return nil })
}
