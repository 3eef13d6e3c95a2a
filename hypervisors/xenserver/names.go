package xenserver

import (
	"strings"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// How cloudcore objects are named in a pool. Every name_label carries the
// cloudcore UUID, so the driver finds its objects with get_by_name_label
// and keeps no state of its own; XenAPI picks the objects' own UUIDs.
const (
	vmPrefix       = "cloudcore-"          // VMs: cloudcore-<VM ID>
	volumePrefix   = "cloudcore-vol-"      // VDIs of volumes
	templatePrefix = "cloudcore-tpl-"      // VDIs of downloaded templates
	cidataPrefix   = "cloudcore-cidata-"   // config drives: cloudcore-cidata-<VM ID>
	networkPrefix  = "cloudcore-net-"      // networks
	snapshotPrefix = "cloudcore-snap-"     // snapshots (VMs with is_a_snapshot)
	keyPrefix      = "cloudcore."          // other_config keys
	keyID          = keyPrefix + "id"      // the cloudcore UUID of a VM, volume, network or template; its VM's on a snapshot or config drive
	keyCurrent     = keyPrefix + "current" // a VM's current snapshot
	keyParent      = keyPrefix + "parent"  // a snapshot's parent snapshot
	keyPower       = keyPrefix + "power"   // the VM's power state when a snapshot was taken
	keyCreated     = keyPrefix + "created" // when a snapshot was taken or a template import began, RFC 3339 with nanoseconds
	keyName        = keyPrefix + "name"    // a snapshot's display name
)

// idFrom returns the UUID in name after prefix, when name is one of the
// driver's names of that kind.
func idFrom(name, prefix string) (string, bool) {
	id, ok := strings.CutPrefix(name, prefix)
	return id, ok && hypervisors.CheckID("ID", id) == nil
}

// objectName returns the name in ref, a reference to a pool object of a
// kind: <scheme>:<name> (names with spaces, as in "sr:Local storage") or
// <scheme>://<name>.
func objectName(ref, scheme string) (string, bool) {
	if name, ok := strings.CutPrefix(ref, scheme+"://"); ok {
		return name, true
	}
	return strings.CutPrefix(ref, scheme+":")
}
