package kvm

import (
	"errors"
	"fmt"
	"net/url"
	"path"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// nfsMountRoot is where NFS pools are mounted unless their URL says
// otherwise (?mount=<path>): <nfsMountRoot>/<pool ID>.
const nfsMountRoot = "/var/lib/cloudcore/mnt"

// poolDefinition describes the libvirt pool of ref, named after its ID:
//
//	file:///<path>                          a dir pool in <path>
//	nfs://<server>/<export>[?mount=<path>]  a netfs pool mounted at <path>
//
// It fails with ErrInvalid for other URLs and IDs that are not UUIDs.
func poolDefinition(ref hypervisors.StoragePoolRef) (*libvirtxml.StoragePool, error) {
	if err := hypervisors.CheckID("storage pool ID", ref.ID); err != nil {
		return nil, err
	}
	u, err := url.Parse(ref.URL)
	if err != nil {
		return nil, fmt.Errorf("%w: storage pool URL %q: %v", hypervisors.ErrInvalid, ref.URL, err)
	}
	def := &libvirtxml.StoragePool{Name: poolName(ref.ID), UUID: ref.ID}
	switch {
	case u.Scheme == "file" && u.Host == "" && path.IsAbs(u.Path) && u.RawQuery == "":
		def.Type = "dir"
		def.Target = &libvirtxml.StoragePoolTarget{Path: path.Clean(u.Path)}
	case u.Scheme == "nfs" && u.Host != "" && path.IsAbs(u.Path):
		q := u.Query()
		mount := q.Get("mount")
		q.Del("mount")
		if mount == "" {
			mount = path.Join(nfsMountRoot, ref.ID)
		}
		if len(q) > 0 || !path.IsAbs(mount) {
			return nil, fmt.Errorf("%w: storage pool URL %q: the only parameter is mount=<absolute path>", hypervisors.ErrInvalid, ref.URL)
		}
		def.Type = "netfs"
		def.Source = &libvirtxml.StoragePoolSource{
			Host:   []libvirtxml.StoragePoolSourceHost{{Name: u.Hostname(), Port: u.Port()}},
			Dir:    &libvirtxml.StoragePoolSourceDir{Path: path.Clean(u.Path)},
			Format: &libvirtxml.StoragePoolSourceFormat{Type: "nfs"},
		}
		def.Target = &libvirtxml.StoragePoolTarget{Path: path.Clean(mount)}
	default:
		return nil, fmt.Errorf("%w: storage pool URL %q: want file:///<path> or nfs://<server>/<export>", hypervisors.ErrInvalid, ref.URL)
	}
	return def, nil
}

// pool returns the running libvirt pool of ref, defining, building and
// starting it first when needed (with autostart, so it comes back with
// libvirtd). The caller frees the pool.
func (h *host) pool(c *libvirt.Connect, ref hypervisors.StoragePoolRef) (*libvirt.StoragePool, error) {
	def, err := poolDefinition(ref)
	if err != nil {
		return nil, err
	}
	if p, err := c.LookupStoragePoolByName(def.Name); err == nil {
		return p, startPool(p, def.Name)
	} else if !errors.Is(err, libvirt.ERR_NO_STORAGE_POOL) {
		return nil, wrap("looking up storage pool "+def.Name, err)
	}
	h.poolMu.Lock()
	defer h.poolMu.Unlock()
	if p, err := c.LookupStoragePoolByName(def.Name); err == nil { // defined while we waited
		return p, startPool(p, def.Name)
	}
	doc, err := def.Marshal()
	if err != nil {
		return nil, err
	}
	p, err := c.StoragePoolDefineXML(doc, 0)
	if err != nil {
		return nil, wrap("defining storage pool "+def.Name+" for "+ref.URL, err)
	}
	if err := p.Build(libvirt.STORAGE_POOL_BUILD_NEW); err != nil {
		_ = p.Undefine()
		free(p)
		return nil, wrap("building storage pool "+def.Name, err)
	}
	if err := p.SetAutostart(true); err != nil {
		free(p)
		return nil, wrap("setting storage pool "+def.Name+" to autostart", err)
	}
	return p, startPool(p, def.Name)
}

// startPool starts pool p (called name) unless it runs; on failure it
// frees p.
func startPool(p *libvirt.StoragePool, name string) error {
	active, err := p.IsActive()
	if err == nil && !active {
		if err = p.Create(0); errors.Is(err, libvirt.ERR_OPERATION_INVALID) {
			err = nil // started by another call meanwhile
		}
	}
	if err != nil {
		free(p)
		return wrap("starting storage pool "+name, err)
	}
	return nil
}
