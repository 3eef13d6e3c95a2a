package simulator

import (
	"slices"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// hostState is the host-wide state of a simulated host, changed through a
// Controller and by the calls that spend faults. Its zero value, a healthy
// host with no faults or delays, is stored as no record at all.
type hostState struct {
	Unreachable bool                 `json:"unreachable,omitempty"`
	PoweredOff  bool                 `json:"powered_off,omitempty"`
	Delays      map[Op]time.Duration `json:"delays,omitempty"` // override the URL's delays
	Faults      []faultRecord        `json:"faults,omitempty"`
}

func (s hostState) isZero() bool {
	return !s.Unreachable && !s.PoweredOff && len(s.Delays) == 0 && len(s.Faults) == 0
}

// vmRecord is one VM with its snapshots.
type vmRecord struct {
	hypervisors.VMSpec
	Power     hypervisors.PowerState `json:"power"`
	Current   string                 `json:"current_snapshot,omitempty"`
	Snapshots []snapshotRecord       `json:"snapshots,omitempty"` // oldest first
}

func (r *vmRecord) status() hypervisors.VMStatus {
	return hypervisors.VMStatus{ID: r.ID, Name: r.Name, Power: r.Power, Resources: r.Resources}
}

// usesNetwork reports whether one of the VM's NICs is on network id.
func (r *vmRecord) usesNetwork(id string) bool {
	for _, n := range r.NICs {
		if n.NetworkID == id {
			return true
		}
	}
	return false
}

// snapshotIndex returns the position of snapshot id in vm, or -1.
func (r *vmRecord) snapshotIndex(id string) int {
	return slices.IndexFunc(r.Snapshots, func(s snapshotRecord) bool { return s.ID == id })
}

// snapshotRecord is one snapshot with the resources a revert restores.
type snapshotRecord struct {
	hypervisors.SnapshotInfo
	Resources hypervisors.Resources `json:"resources"`
}

// volumeRecord is one volume of a storage pool.
type volumeRecord struct {
	hypervisors.VolumeInfo
	TemplateID string `json:"template_id,omitempty"`
}
