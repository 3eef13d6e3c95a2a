package vmware

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// inventory is where a connection's host sits in the vSphere inventory,
// resolved once by Connect: a connection that should see the host moved
// elsewhere is opened again.
type inventory struct {
	// vcenter is true when the server is a vCenter, false for a
	// standalone ESXi.
	vcenter bool
	// host is the HostSystem and hostName its name.
	host     types.ManagedObjectReference
	hostName string
	// networkSystem is the host's HostNetworkSystem (standard portgroups).
	networkSystem types.ManagedObjectReference
	// pool is the root resource pool of the host's compute resource
	// (its cluster, or the host itself): where VMs are created.
	pool types.ManagedObjectReference
	// datacenter holds the host; dcPath is its inventory path, which
	// datastore file URLs name, vmFolder the folder of its VMs and
	// networkFolder that of its networks.
	datacenter    types.ManagedObjectReference
	dcPath        string
	vmFolder      types.ManagedObjectReference
	networkFolder types.ManagedObjectReference
	// dvs is the distributed switch that takes guest portgroups, or nil:
	// standard portgroups on the host's vSwitch then.
	dvs *distributedSwitch
}

// distributedSwitch is a vCenter distributed switch the host is a member of.
type distributedSwitch struct {
	ref    types.ManagedObjectReference
	name   string
	uuid   string
	folder types.ManagedObjectReference // where its portgroups are
}

// resolveInventory finds the host c names on the server of s and what
// surrounds it. A host or switch the URL names but the server does not
// have fails with ErrInvalid.
func resolveInventory(ctx context.Context, s *session, c config) (inventory, error) {
	inv := inventory{vcenter: s.vim.IsVC()}
	ref, err := findHost(ctx, s, c.host, inv.vcenter)
	if err != nil {
		return inv, err
	}
	inv.host = ref
	var hs mo.HostSystem
	if err := s.retrieveOne(ctx, ref, []string{"name", "parent", "configManager.networkSystem"}, &hs); err != nil {
		return inv, err
	}
	inv.hostName = hs.Name
	if ns := hs.ConfigManager.NetworkSystem; ns != nil {
		inv.networkSystem = *ns
	}
	var cr mo.ComputeResource
	if err := s.retrieveOne(ctx, *hs.Parent, []string{"resourcePool"}, &cr); err != nil {
		return inv, err
	}
	inv.pool = *cr.ResourcePool

	ancestors, err := mo.Ancestors(ctx, s.vim, s.vim.ServiceContent.PropertyCollector, ref)
	if err != nil {
		return inv, err
	}
	dcPath := "/"
	for _, e := range ancestors {
		if e.Parent == nil {
			continue // the root folder
		}
		dcPath = path.Join(dcPath, e.Name)
		if e.Self.Type == "Datacenter" {
			inv.datacenter, inv.dcPath = e.Self, dcPath
			break
		}
	}
	var dc mo.Datacenter
	if err := s.retrieveOne(ctx, inv.datacenter, []string{"vmFolder", "networkFolder"}, &dc); err != nil {
		return inv, err
	}
	inv.vmFolder, inv.networkFolder = dc.VmFolder, dc.NetworkFolder

	switch {
	case inv.vcenter:
		inv.dvs, err = findDistributedSwitch(ctx, s, dc.NetworkFolder, ref, c.dvs)
	case c.dvs != "":
		err = fmt.Errorf("%w: parameter dvs=%s: distributed switches need a vCenter, and %s is a standalone ESXi", hypervisors.ErrInvalid, c.dvs, c.sdk.Host)
	}
	return inv, err
}

// findHost returns the HostSystem named by the URL's host parameter: an
// inventory path when it starts with "/", else a host name; on a
// standalone ESXi it may be empty.
func findHost(ctx context.Context, s *session, name string, vcenter bool) (types.ManagedObjectReference, error) {
	invalid := func(format string, args ...any) (types.ManagedObjectReference, error) {
		return types.ManagedObjectReference{}, fmt.Errorf("%w: parameter host: "+format, append([]any{hypervisors.ErrInvalid}, args...)...)
	}
	if strings.HasPrefix(name, "/") {
		ref, err := s.findByInventoryPath(ctx, name)
		switch {
		case err != nil:
			return types.ManagedObjectReference{}, err
		case ref == nil:
			return invalid("no object at inventory path %q", name)
		case ref.Type != "HostSystem":
			return invalid("inventory path %q names a %s, not a host (want /<datacenter>/host/<cluster>/<host>)", name, ref.Type)
		}
		return *ref, nil
	}
	if name == "" && vcenter {
		return invalid("the URL names a vCenter: add host=<inventory path or name> of the ESXi host to use")
	}
	var hosts []mo.HostSystem
	if err := s.retrieveIn(ctx, s.vim.ServiceContent.RootFolder, []string{"HostSystem"}, []string{"name"}, &hosts); err != nil {
		return types.ManagedObjectReference{}, err
	}
	if name != "" {
		hosts = slices.DeleteFunc(hosts, func(h mo.HostSystem) bool { return h.Name != name })
	}
	switch {
	case len(hosts) == 1:
		return hosts[0].Self, nil
	case name == "":
		return invalid("the server has %d hosts: add host=<inventory path or name>", len(hosts))
	case len(hosts) == 0:
		return invalid("the server has no host named %q", name)
	default:
		return invalid("%d hosts are named %q: give the host's inventory path instead", len(hosts), name)
	}
}

// findDistributedSwitch returns the distributed switch under networkFolder
// named name, or the first one host is a member of when name is empty;
// nil when there is none.
func findDistributedSwitch(ctx context.Context, s *session, networkFolder, host types.ManagedObjectReference, name string) (*distributedSwitch, error) {
	var switches []mo.DistributedVirtualSwitch
	err := s.retrieveIn(ctx, networkFolder, []string{"DistributedVirtualSwitch"}, []string{"name", "uuid", "parent", "summary.hostMember"}, &switches)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(switches, func(a, b mo.DistributedVirtualSwitch) int { return strings.Compare(a.Name, b.Name) })
	for _, sw := range switches {
		member := slices.Contains(sw.Summary.HostMember, host)
		switch {
		case name == "" && member, name == sw.Name && member:
			return &distributedSwitch{ref: sw.Self, name: sw.Name, uuid: sw.Uuid, folder: *sw.Parent}, nil
		case name == sw.Name:
			return nil, fmt.Errorf("%w: parameter dvs: the host is not a member of distributed switch %q", hypervisors.ErrInvalid, name)
		}
	}
	if name != "" {
		return nil, fmt.Errorf("%w: parameter dvs: the datacenter has no distributed switch %q", hypervisors.ErrInvalid, name)
	}
	return nil, nil
}
