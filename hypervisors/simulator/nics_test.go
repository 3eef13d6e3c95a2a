package simulator_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/simulator"
)

func TestAttachedNICPersistsAcrossConnections(t *testing.T) {
	dir := t.TempDir()
	h1 := connect(t, dir, "h1", "")
	fx := newFixture(t, h1)
	extra := hypervisors.NetworkSpec{ID: uuid.NewString()}
	mustDo(t, "EnsureNetwork", h1.EnsureNetwork(t.Context(), extra))
	mac := randomMAC()
	mustDo(t, "AttachNIC", h1.(hypervisors.NICHotplugger).AttachNIC(t.Context(), fx.vm.ID, hypervisors.NIC{NetworkID: extra.ID, MAC: mac}))
	mustDo(t, "Close", h1.Close())

	h2 := connect(t, dir, "h1", "")
	nics, err := control(t, dir, "h1").VMNICs(fx.vm.ID)
	if err != nil || len(nics) != len(fx.vm.NICs)+1 || nics[len(nics)-1].MAC != mac {
		t.Errorf("Controller.VMNICs = %+v, %v; want the VM's NICs with %s last", nics, err, mac)
	}
	if err := h2.RemoveNetwork(t.Context(), extra.ID); !errors.Is(err, hypervisors.ErrConflict) {
		t.Errorf("RemoveNetwork on a new connection = %v, want ErrConflict (the attached NIC is on it)", err)
	}
	hp := h2.(hypervisors.NICHotplugger)
	err = hp.AttachNIC(t.Context(), fx.vm.ID, hypervisors.NIC{NetworkID: extra.ID, MAC: strings.ToUpper(mac)})
	if !errors.Is(err, hypervisors.ErrConflict) {
		t.Errorf("AttachNIC with the MAC in upper case = %v, want ErrConflict", err)
	}
	mustDo(t, "DetachNIC with the MAC in upper case", hp.DetachNIC(t.Context(), fx.vm.ID, strings.ToUpper(mac)))
	mustDo(t, "RemoveNetwork once the NIC is detached", h2.RemoveNetwork(t.Context(), extra.ID))
}

func TestInjectedNICFaultsLeaveTheVMAlone(t *testing.T) {
	dir := t.TempDir()
	h := connect(t, dir, "h1", "fail.AttachNIC=1:nocapacity&fail.DetachNIC=1")
	fx := newFixture(t, h)
	hp := h.(hypervisors.NICHotplugger)
	extra := hypervisors.NetworkSpec{ID: uuid.NewString()}
	mustDo(t, "EnsureNetwork", h.EnsureNetwork(t.Context(), extra))
	nic := hypervisors.NIC{NetworkID: extra.ID, MAC: randomMAC()}

	expectInjected(t, "first AttachNIC", hp.AttachNIC(t.Context(), fx.vm.ID, nic), hypervisors.ErrNoCapacity)
	mustDo(t, "RemoveNetwork after the failed AttachNIC", h.RemoveNetwork(t.Context(), extra.ID))
	mustDo(t, "EnsureNetwork", h.EnsureNetwork(t.Context(), extra))
	mustDo(t, "second AttachNIC", hp.AttachNIC(t.Context(), fx.vm.ID, nic))

	expectInjected(t, "first DetachNIC", hp.DetachNIC(t.Context(), fx.vm.ID, nic.MAC), hypervisors.ErrUnreachable)
	if err := h.RemoveNetwork(t.Context(), extra.ID); !errors.Is(err, hypervisors.ErrConflict) {
		t.Errorf("RemoveNetwork after the failed DetachNIC = %v, want ErrConflict", err)
	}
	mustDo(t, "second DetachNIC", hp.DetachNIC(t.Context(), fx.vm.ID, nic.MAC))
	mustDo(t, "RemoveNetwork", h.RemoveNetwork(t.Context(), extra.ID))

	ctl := control(t, dir, "h1")
	mustDo(t, "InjectFault", ctl.InjectFault(simulator.Fault{Op: simulator.OpAttachNIC, Nth: 1, Action: simulator.ActionFail, Err: hypervisors.ErrConflict}))
	mustDo(t, "EnsureNetwork", h.EnsureNetwork(t.Context(), extra))
	expectInjected(t, "AttachNIC with a Controller fault", hp.AttachNIC(t.Context(), fx.vm.ID, nic), hypervisors.ErrConflict)
	mustDo(t, "RemoveNetwork after the failed AttachNIC", h.RemoveNetwork(t.Context(), extra.ID))
}
