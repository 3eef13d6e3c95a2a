package vmware

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vmdk"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// datastoreScheme is the scheme of storage pool URLs: datastore://<name>.
const datastoreScheme = "datastore://"

// maxDescriptorBytes bounds the disk descriptors the driver reads; real
// ones are well under a kilobyte.
const maxDescriptorBytes = 64 << 10

// datastore is a datastore the host mounts.
type datastore struct {
	ref  types.ManagedObjectReference
	name string
}

// datastoreName returns the datastore a storage pool names: its URL is
// datastore://<name> or the bare name; anything else fails with ErrInvalid.
func datastoreName(pool hypervisors.StoragePoolRef) (string, error) {
	name := pool.URL
	if rest, ok := strings.CutPrefix(name, datastoreScheme); ok {
		unescaped, err := url.PathUnescape(rest)
		if err != nil {
			return "", fmt.Errorf("%w: storage pool %s: URL %q: %v", hypervisors.ErrInvalid, pool.ID, pool.URL, err)
		}
		name = unescaped
	}
	if name == "" || strings.Contains(name, "://") || strings.ContainsAny(name, "[]/") {
		return "", fmt.Errorf("%w: storage pool %s: URL %q does not name a datastore (want %s<name> or the name)",
			hypervisors.ErrInvalid, pool.ID, pool.URL, datastoreScheme)
	}
	return name, nil
}

// datastore returns the datastore pool names; ErrNotFound when the host
// does not mount it.
func (h *host) datastore(ctx context.Context, pool hypervisors.StoragePoolRef) (datastore, error) {
	name, err := datastoreName(pool)
	if err != nil {
		return datastore{}, err
	}
	if ref, ok := h.datastores.Load(name); ok {
		return datastore{ref: ref.(types.ManagedObjectReference), name: name}, nil
	}
	var hs mo.HostSystem
	if err := h.s.retrieveOne(ctx, h.inv.host, []string{"datastore"}, &hs); err != nil {
		return datastore{}, err
	}
	if len(hs.Datastore) > 0 {
		var dss []mo.Datastore
		if err := h.s.retrieveMany(ctx, hs.Datastore, []string{"name"}, &dss); err != nil {
			return datastore{}, err
		}
		for _, ds := range dss {
			h.datastores.Store(ds.Name, ds.Self)
		}
	}
	if ref, ok := h.datastores.Load(name); ok {
		return datastore{ref: ref.(types.ManagedObjectReference), name: name}, nil
	}
	return datastore{}, fmt.Errorf("%w: storage pool %s: host %s does not mount datastore %q", hypervisors.ErrNotFound, pool.ID, h.inv.hostName, name)
}

// makeVolumeFolder makes the folder of the volumes on ds, once per
// connection; it may exist.
func (h *host) makeVolumeFolder(ctx context.Context, ds datastore) error {
	if _, made := h.volumeFolders.Load(ds.name); made {
		return nil
	}
	_, err := methods.MakeDirectory(ctx, h.s.vim, &types.MakeDirectory{
		This:                    *h.s.vim.ServiceContent.FileManager,
		Name:                    (&object.DatastorePath{Datastore: ds.name, Path: volumeFolder}).String(),
		Datacenter:              &h.inv.datacenter,
		CreateParentDirectories: types.NewBool(true),
	})
	if err != nil && !isFault[*types.FileAlreadyExists](err) {
		return err
	}
	h.volumeFolders.Store(ds.name, true)
	return nil
}

// diskCapacity returns the capacity in bytes of the disk at datastore path
// p, as its descriptor states it; found is false when there is no such
// file.
func (h *host) diskCapacity(ctx context.Context, p string) (capacity int64, found bool, err error) {
	var dp object.DatastorePath
	if !dp.FromString(p) {
		return 0, false, fmt.Errorf("%w: %q is not a datastore path ([<datastore>] <path>)", hypervisors.ErrInvalid, p)
	}
	u := object.NewDatastoreURL(*h.s.soap.URL(), h.inv.dcPath, dp.Datastore, dp.Path)
	res, err := h.s.download(ctx, u)
	if err != nil {
		return 0, false, err
	}
	defer func() { _ = res.Body.Close() }()
	switch res.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return 0, false, nil
	default:
		return 0, false, fmt.Errorf("reading the descriptor of disk %s: the server answered %s", p, res.Status)
	}
	desc, err := vmdk.ParseDescriptor(io.LimitReader(res.Body, maxDescriptorBytes))
	if err != nil {
		return 0, false, fmt.Errorf("reading the descriptor of disk %s: %w", p, err)
	}
	return desc.Capacity(), true, nil
}
