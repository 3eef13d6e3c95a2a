package simulator_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

func TestOutOfBandChanges(t *testing.T) {
	dir := t.TempDir()
	h := connect(t, dir, "h1", "")
	ctl := control(t, dir, "h1")
	fx := newFixture(t, h).withSnapshot(t, h)
	id := fx.vm.ID

	mustDo(t, "StopVMOutOfBand", ctl.StopVMOutOfBand(id))
	if p := power(t, h, id); p != hypervisors.PowerStopped {
		t.Errorf("VM is %s after StopVMOutOfBand, want stopped", p)
	}
	mustDo(t, "DeleteVMOutOfBand", ctl.DeleteVMOutOfBand(id))
	if _, err := h.VMStatus(t.Context(), id); !errors.Is(err, hypervisors.ErrNotFound) {
		t.Errorf("VMStatus after DeleteVMOutOfBand = %v, want ErrNotFound", err)
	}
	vms, err := h.ListVMs(t.Context())
	mustDo(t, "ListVMs", err)
	if slices.ContainsFunc(vms, func(vm hypervisors.VMStatus) bool { return vm.ID == id }) {
		t.Errorf("ListVMs after DeleteVMOutOfBand lists the VM: %+v", vms)
	}
	vols, err := h.ListVolumes(t.Context(), testPool)
	mustDo(t, "ListVolumes", err)
	if !slices.ContainsFunc(vols, func(v hypervisors.VolumeInfo) bool { return v.ID == fx.volume }) {
		t.Errorf("DeleteVMOutOfBand took the VM's volume with it: %+v", vols)
	}

	for name, err := range map[string]error{
		"StopVMOutOfBand":   ctl.StopVMOutOfBand(id),
		"DeleteVMOutOfBand": ctl.DeleteVMOutOfBand(id),
	} {
		if !errors.Is(err, hypervisors.ErrNotFound) {
			t.Errorf("%s of a missing VM = %v, want ErrNotFound", name, err)
		}
	}
	for name, err := range map[string]error{
		"StopVMOutOfBand":   ctl.StopVMOutOfBand("../h2"),
		"DeleteVMOutOfBand": ctl.DeleteVMOutOfBand("../h2"),
	} {
		if !errors.Is(err, hypervisors.ErrInvalid) {
			t.Errorf("%s of a malformed ID = %v, want ErrInvalid", name, err)
		}
	}
}
