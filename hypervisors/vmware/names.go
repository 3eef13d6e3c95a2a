package vmware

import (
	"path"
	"strings"

	"github.com/vmware/govmomi/object"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// How cloudcore objects are named on vSphere. Every name carries the
// cloudcore UUID, so the driver finds its objects again without any state
// of its own, and tells them apart from everything else on the host.
const (
	// namePrefix starts the names of VMs and portgroups: cloudcore-<UUID>.
	namePrefix = "cloudcore-"
	// volumeFolder is the folder on each datastore that holds the volumes:
	// [<datastore>] cloudcore/<UUID>.vmdk.
	volumeFolder = "cloudcore"
	// cloneNamePrefix names the short-lived VM a template is cloned into
	// on vCenter while a volume is made from it.
	cloneNamePrefix = "cloudcore-volume-"

	// ExtraConfig keys of cloudcore's VMs.
	keyID   = "cloudcore.id"   // the instance UUID, the same as in the VM's name
	keyName = "cloudcore.name" // the display name
)

// vmName is the vSphere name of VM id.
func vmName(id string) string { return namePrefix + id }

// idOfVMName returns the cloudcore UUID in a VM name made by vmName.
func idOfVMName(name string) (string, bool) {
	id, ok := strings.CutPrefix(name, namePrefix)
	return id, ok && hypervisors.CheckID("VM ID", id) == nil
}

// portgroupName is the vSphere name of guest network id's portgroup.
func portgroupName(networkID string) string { return namePrefix + networkID }

// volumePath is the datastore path of volume id on datastore ds.
func volumePath(ds, id string) string {
	return (&object.DatastorePath{Datastore: ds, Path: path.Join(volumeFolder, id+".vmdk")}).String()
}

// idOfVolumeFile returns the volume UUID of a file name in volumeFolder;
// other files there (flat extents, snapshot deltas) are not volumes.
func idOfVolumeFile(name string) (string, bool) {
	id, ok := strings.CutSuffix(name, ".vmdk")
	return id, ok && hypervisors.CheckID("volume ID", id) == nil
}
