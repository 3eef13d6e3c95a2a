package vmware

import (
	"context"

	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

// retrieveOne loads properties props of obj into dst, a pointer to an mo
// struct, in one round trip.
func (s *session) retrieveOne(ctx context.Context, obj types.ManagedObjectReference, props []string, dst any) error {
	return property.DefaultCollector(s.vim).RetrieveOne(ctx, obj, props, dst)
}

// retrieveMany loads properties props of objs into dst, a pointer to a
// slice of mo structs, in one round trip.
func (s *session) retrieveMany(ctx context.Context, objs []types.ManagedObjectReference, props []string, dst any) error {
	return property.DefaultCollector(s.vim).Retrieve(ctx, objs, props, dst)
}

// retrieveRaw returns properties props of objs in one round trip, as
// property paths to values. Unlike retrieveOne it takes any property path,
// such as a keyed one (config.extraConfig["key"]).
func (s *session) retrieveRaw(ctx context.Context, objs []types.ManagedObjectReference, props []string) (map[types.ManagedObjectReference]map[string]types.AnyType, error) {
	var content []types.ObjectContent
	if err := property.DefaultCollector(s.vim).Retrieve(ctx, objs, props, &content); err != nil {
		return nil, err
	}
	out := make(map[types.ManagedObjectReference]map[string]types.AnyType, len(content))
	for _, oc := range content {
		values := make(map[string]types.AnyType, len(oc.PropSet))
		for _, p := range oc.PropSet {
			values[p.Name] = p.Val
		}
		out[oc.Obj] = values
	}
	return out, nil
}

// retrieveIn loads properties props of every object of the given kinds
// under container (recursively) into dst, a pointer to a slice of mo
// structs or of types.ObjectContent.
func (s *session) retrieveIn(ctx context.Context, container types.ManagedObjectReference, kinds, props []string, dst any) error {
	v, err := view.NewManager(s.vim).CreateContainerView(ctx, container, kinds, true)
	if err != nil {
		return err
	}
	defer func() { _ = v.Destroy(context.WithoutCancel(ctx)) }()
	return v.Retrieve(ctx, kinds, props, dst)
}

// findChild returns the child of folder named name, or nil.
func (s *session) findChild(ctx context.Context, folder types.ManagedObjectReference, name string) (*types.ManagedObjectReference, error) {
	res, err := methods.FindChild(ctx, s.vim, &types.FindChild{This: *s.vim.ServiceContent.SearchIndex, Entity: folder, Name: name})
	if err != nil {
		return nil, err
	}
	return res.Returnval, nil
}

// findByInventoryPath returns the object at an inventory path such as
// /DC0/host/DC0_C0/DC0_C0_H0, or nil.
func (s *session) findByInventoryPath(ctx context.Context, p string) (*types.ManagedObjectReference, error) {
	res, err := methods.FindByInventoryPath(ctx, s.vim, &types.FindByInventoryPath{This: *s.vim.ServiceContent.SearchIndex, InventoryPath: p})
	if err != nil {
		return nil, err
	}
	return res.Returnval, nil
}
